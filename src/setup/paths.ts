/** Where the TensorFlow setup keeps its files, and the library path a GPU run needs. Pure. */
import { join } from 'node:path';
import type { Variant } from './wheel.js';

/** The cache lives outside node_modules so that `npm ci` never wipes it: NORMREG_CACHE, else
 * $XDG_CACHE_HOME/normreg, else ~/.cache/normreg. */
export function cacheRootFor(env: Record<string, string | undefined>, home: string): string {
  if (env.NORMREG_CACHE) return env.NORMREG_CACHE;
  return join(env.XDG_CACHE_HOME || join(home, '.cache'), 'normreg');
}

/** One extracted wheel: lib/, include/, (GPU) nvidia/<part>/lib/, manifest.json. */
export const tfEntryDir = (root: string, variant: Variant, version: string) => join(root, 'tensorflow', `${variant}-${version}`);

export interface BindingKeyParts { pkg: string; tfjsVersion: string; variant: Variant; tfVersion: string; stripped: boolean; nodeModules: string; napi: number; platform: string; arch: string }

/** A built binding is reusable exactly when all of these match. */
export function bindingKey(p: BindingKeyParts): string {
  return [p.pkg.replace(/^@tensorflow\//, ''), p.tfjsVersion, `tf${p.tfVersion}-${p.variant}${p.stripped ? '-stripped' : ''}`, `abi${p.nodeModules}`, `napi${p.napi}`, `${p.platform}-${p.arch}`].join('_');
}

/** The N-API version node-pre-gyp builds for: the highest of the package's list that this Node supports. */
export function napiBuildVersion(packageNapi: readonly number[], nodeNapi: number): number | null {
  const ok = packageNapi.filter((v) => v <= nodeNapi);
  return ok.length ? Math.max(...ok) : null;
}

export interface SetupManifest {
  format: 1;
  variant: Variant;
  tfVersion: string;
  wheel: string;
  stripped: boolean;
  /** GPU: directories (relative to the entry) holding the CUDA runtime wheels' libraries */
  cudaLibDirs: string[];
}

/**
 * The environment a process that loads the GPU binding must START with. TensorFlow dlopen()s the
 * CUDA libraries by soname; glibc reads LD_LIBRARY_PATH once at process start, and the wheel's
 * libraries carry no RUNPATH to the nvidia wheels when they sit outside site-packages. So the
 * harness re-executes itself (and its workers inherit) with these directories first on the path.
 * Returns null when the environment already has them in front (nothing to do).
 */
export function libraryPathEnv(env: Record<string, string | undefined>, dirs: readonly string[]): Record<string, string> | null {
  if (dirs.length === 0) return null;
  const current = (env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean);
  if (dirs.every((d, i) => current[i] === d)) return null;
  const rest = current.filter((d) => !dirs.includes(d));
  return { LD_LIBRARY_PATH: [...dirs, ...rest].join(':') };
}
