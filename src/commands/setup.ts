/** normreg setup tensorflow [--gpu] [--wheel FILE] [--python P]: build TensorFlow's binding from a wheel. */
import { homedir } from 'node:os';
import { UsageError } from '../errors.js';
import { setupTensorflow } from '../setup/tensorflow.js';
import { cacheRootFor } from '../setup/paths.js';
import type { Values } from './args.js';
import { fileURLToPath } from 'node:url';

/** normreg's own folder (its node_modules gets the binding), wherever the command runs from. */
const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export async function cmdSetup(values: Values, rest: string[]): Promise<number> {
  if (rest[0] !== 'tensorflow' || rest.length !== 1) throw new UsageError(`setup: unknown target '${rest.join(' ')}'`, 'use `normreg setup tensorflow [--gpu] [--wheel FILE]`');
  const log = (s: string) => { if (!values.json) process.stdout.write(s + '\n'); };
  const report = await setupTensorflow({
    variant: values.gpu ? 'gpu' : 'cpu', wheel: values.wheel, python: values.python ?? 'python3',
    root: PACKAGE_ROOT, cacheRoot: cacheRootFor(process.env, homedir()), log,
  });
  if (values.json) process.stdout.write(JSON.stringify(report) + '\n');
  else {
    const backend = report.probe.devices.includes('GPU') ? 'tensorflow-gpu' : 'tensorflow';
    log(`TensorFlow ${report.probe.tfVersion} ready in ${report.seconds.toFixed(1)} s: devices ${report.probe.devices.join(', ')}; binding ${report.binding}; cache ${report.entry}`);
    if (report.variant === 'gpu' && backend !== 'tensorflow-gpu') log('warning: TensorFlow sees no GPU here; --backend tensorflow-gpu will refuse to run (check the NVIDIA driver: nvidia-smi)');
    log(`use it: npx normreg reproduce --backend ${backend} ...`);
  }
  return 0;
}
