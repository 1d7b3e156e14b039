/** Child of `normreg backends`: load TensorFlow's binding (cpu|gpu), print {version, devices} as one JSON line. */
import { loadTensorflow } from './tensorflow.js';

const facts = await loadTensorflow(process.argv[2] === 'gpu' ? 'gpu' : 'cpu', { intra: 1, inter: 1 });
process.stdout.write(JSON.stringify({ version: facts.version, devices: facts.devices }) + '\n');
