/** Child of the setup: load the binding, print {tfVersion, devices, seconds} as one JSON line. */
import { loadTensorflow } from '../engine/tensorflow.js';

const variant = process.argv[2] === 'gpu' ? 'gpu' : 'cpu';
const t0 = performance.now();
const facts = await loadTensorflow(variant, { intra: 1, inter: 1 });
process.stdout.write(JSON.stringify({ tfVersion: facts.version, devices: facts.devices, seconds: (performance.now() - t0) / 1000 }) + '\n');
