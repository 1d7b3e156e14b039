/** Backend selection. auto: tfjs-node-gpu if it loads, then tfjs-node, then wasm (+ our kernels).
 * The optional native packages are imported lazily, so their absence never breaks anything. */
import * as tf from '@tensorflow/tfjs';
import { BackendError, problem, UsageError } from '../errors.js';

const WASM_KERNELS_MODULE = './wasmKernels.js';
export const BACKEND_CHOICES = ['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

export interface BackendInfo {
  /** the name results and goldens are filed under */
  name: 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';
  /** tfjs backend name */
  tfBackend: string;
  threads: number;
  /** custom kernels registered (wasm) */
  kernels: string[];
  versions: Record<string, string>;
  /** whether MaxPoolGrad should be the registered kernel (checked) or the core-ops formulation */
  useMaxPoolKernel: boolean;
}

async function tryImport(pkg: string): Promise<boolean> {
  try {
    await import(pkg);
    return true;
  } catch {
    return false;
  }
}

async function activate(name: string): Promise<boolean> {
  try {
    const ok = await tf.setBackend(name);
    await tf.ready();
    return ok && tf.getBackend() === name;
  } catch {
    return false;
  }
}

export async function selectBackend(choice: BackendChoice): Promise<BackendInfo> {
  const versions: Record<string, string> = { 'tfjs-core': tf.version_core };
  if (choice === 'auto' || choice === 'tensorflow-gpu') {
    if ((await tryImport('@tensorflow/tfjs-node-gpu')) && (await activate('tensorflow'))) {
      return { name: 'tensorflow-gpu', tfBackend: 'tensorflow', threads: 0, kernels: [], versions: { ...versions, 'tfjs-node-gpu': pkgVersion('@tensorflow/tfjs-node-gpu') }, useMaxPoolKernel: false };
    }
    if (choice === 'tensorflow-gpu') throw unavailable(choice, '@tensorflow/tfjs-node-gpu did not load (it needs CUDA and its libtensorflow download)');
  }
  if (choice === 'auto' || choice === 'tensorflow') {
    if ((await tryImport('@tensorflow/tfjs-node')) && (await activate('tensorflow'))) {
      return { name: 'tensorflow', tfBackend: 'tensorflow', threads: 0, kernels: [], versions: { ...versions, 'tfjs-node': pkgVersion('@tensorflow/tfjs-node') }, useMaxPoolKernel: false };
    }
    if (choice === 'tensorflow') throw unavailable(choice, '@tensorflow/tfjs-node did not load');
  }
  if (choice === 'auto' || choice === 'wasm') {
    await import('@tensorflow/tfjs-backend-wasm');
    const mod = (await import(WASM_KERNELS_MODULE)) as WasmKernelsModule;
    mod.useSharedHeap(); // must precede the wasm backend's start (a no-op once it has started)
    if (!(await activate('wasm'))) throw unavailable('wasm', 'the wasm backend failed to initialize');
    let kernels: string[] = [];
    try {
      kernels = await mod.registerWasmKernels({ threads: 1 });
    } catch (e) {
      throw new BackendError('BACKEND', [problem('', '', `custom wasm kernels failed to load: ${(e as Error).message}`, 'run `npm run build` (it compiles the kernels into dist/)')], { cause: e });
    }
    return {
      name: 'wasm', tfBackend: 'wasm', threads: 1, kernels,
      versions: { ...versions, 'tfjs-backend-wasm': pkgVersion('@tensorflow/tfjs-backend-wasm') },
      useMaxPoolKernel: kernels.includes('MaxPoolGrad'),
    };
  }
  if (choice === 'cpu') {
    if (!(await activate('cpu'))) throw unavailable('cpu', 'the cpu backend failed to initialize');
    return { name: 'cpu', tfBackend: 'cpu', threads: 1, kernels: [], versions, useMaxPoolKernel: false };
  }
  throw unavailable(choice, 'unknown backend');
}

/** The --threads option: '1' or '2', or 'auto'/absent for the caller's default. */
export function parseThreads(text: string | undefined, auto: 1 | 2): 1 | 2 {
  if (text === undefined || text === 'auto') return auto;
  if (text !== '1' && text !== '2') throw new UsageError(`--threads must be 1, 2 or auto (got '${text}')`);
  return Number(text) as 1 | 2;
}

interface WasmKernelsModule {
  useSharedHeap(): void;
  registerWasmKernels(opts: { threads?: number }): Promise<string[]>;
}

/**
 * Threads for the wasm kernels: 1, or 2 with a helper thread (same bytes either way; see
 * src/engine/kernelThread.ts). Other backends keep their own threading and ignore this.
 */
export async function setBackendThreads(info: BackendInfo, threads: number): Promise<BackendInfo> {
  if (threads !== 1 && threads !== 2) {
    throw new BackendError('BACKEND', [problem('', '--threads', `threads must be 1 or 2 (got ${threads})`, 'use --threads 1 or --threads 2')]);
  }
  if (info.name !== 'wasm' || info.threads === threads) return info;
  const mod = (await import(WASM_KERNELS_MODULE)) as WasmKernelsModule;
  try {
    await mod.registerWasmKernels({ threads });
  } catch (e) {
    throw new BackendError('BACKEND', [problem('', '--threads', `cannot start the second kernel thread: ${(e as Error).message}`, 'use --threads 1')], { cause: e });
  }
  return { ...info, threads };
}

function unavailable(choice: string, why: string): BackendError {
  return new BackendError('BACKEND', [problem('', '--backend', `backend '${choice}' is not available: ${why}`, `use --backend auto or one of ${BACKEND_CHOICES.join(', ')}`)]);
}

import { createRequire } from 'node:module';
function pkgVersion(pkg: string): string {
  try {
    return (createRequire(import.meta.url)(`${pkg}/package.json`) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}
