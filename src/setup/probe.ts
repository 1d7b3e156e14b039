/** Load the freshly staged binding in a child process (a crash there cannot take the setup down)
 * and read TensorFlow's version and devices. */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { SetupError, problem } from '../errors.js';
import { libraryPathEnv, type SetupManifest } from './paths.js';
import type { Variant } from './wheel.js';

export interface TensorflowProbe { tfVersion: string; devices: string[]; seconds: number }

const CHILD = fileURLToPath(new URL('./probeChild.js', import.meta.url));

export async function probeTensorflow(root: string, variant: Variant, manifest: SetupManifest, entry: string): Promise<TensorflowProbe> {
  const libEnv = libraryPathEnv(process.env, manifest.cudaLibDirs.map((d) => join(entry, d))) ?? {};
  const r = await execa(process.execPath, [CHILD, variant], { cwd: root, reject: false, all: true, stdin: 'ignore', env: { ...libEnv, TF_CPP_MIN_LOG_LEVEL: '2' } });
  const last = r.stdout.trim().split('\n').pop() ?? '';
  if (r.exitCode === 0) {
    try {
      return JSON.parse(last) as TensorflowProbe;
    } catch { /* below */ }
  }
  throw new SetupError('SETUP', [problem('', '', `the built binding does not load: ${String(r.all).trim().split('\n').slice(-4).join(' | ')}`,
    `check glibc >= 2.27 (ldd --version); look at ldd ${join(root, 'node_modules', variant === 'gpu' ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node', 'lib', 'napi-v8', 'tfjs_binding.node')}`)]);
}
