/** Start-up environment for the GPU binding: when `setup tensorflow --gpu` staged CUDA wheels,
 * bin/normreg.js re-executes itself once with their library folders on LD_LIBRARY_PATH (glibc
 * reads it only at process start), and every worker it spawns inherits it. */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { libraryPathEnv, type SetupManifest } from './paths.js';

export function gpuLaunchEnv(root: string, env: Record<string, string | undefined>): Record<string, string> | null {
  const deps = join(root, 'node_modules', '@tensorflow', 'tfjs-node-gpu', 'deps');
  const file = join(deps, 'manifest.json');
  if (!existsSync(file)) return null;
  try {
    const m = JSON.parse(readFileSync(file, 'utf8')) as SetupManifest;
    const entry = realpathSync(deps);
    return libraryPathEnv(env, (m.cudaLibDirs ?? []).map((d) => join(entry, d)));
  } catch {
    return null; // a broken setup is reported by the backend that needs it, with its fix
  }
}
