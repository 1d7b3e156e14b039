// The AssemblyScript kernel binary (dist/kernels.wasm) and its instances: one per wasm-backend
// heap, importing that heap's WebAssembly.Memory so kernels read and write tfjs tensors in place.
import { readFile } from 'node:fs/promises';
import { packageDir } from '../util/packages.js';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { SHARED_HEAP_URL } from './sharedHeap.js';

export type WasmKernelErrorCode =
  | 'KERNELS_NOT_BUILT'
  | 'HEAP_NOT_SHARED'
  | 'NOT_WASM_BACKEND'
  | 'NO_WASM_MEMORY'
  | 'INSTANTIATE_FAILED'
  | 'UNKNOWN_KERNEL';

export class WasmKernelError extends Error {
  readonly code: WasmKernelErrorCode;
  constructor(code: WasmKernelErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WasmKernelError';
    this.code = code;
  }
}

/** What src/engine/assembly/index.ts exports; every pointer is a byte offset into the heap. */
export interface KernelExports {
  conv2dPadded(x: number, w: number, y: number, n: number, h: number, wd: number, ci: number,
    kh: number, kw: number, co: number, oh: number, ow: number, padT: number, padL: number): void;
  flipSwapFilter(w: number, wt: number, kh: number, kw: number, ci: number, co: number): void;
  conv2dFilterGrad(x: number, dy: number, dw: number, acc: number, n: number, h: number, wd: number,
    ci: number, kh: number, kw: number, co: number, oh: number, ow: number): void;
  conv2dFilterGradPart(x: number, dy: number, dw: number, acc: number, n: number, h: number, wd: number,
    ci: number, kh: number, kw: number, co: number, oh: number, ow: number, jLo: number, jHi: number): void;
  sgdUpdate(p: number, g: number, buf: number, pOut: number, bufOut: number, size: number, lr: number,
    momentum: number, wd: number, l1: number, first: number, useL1: number, useWd: number): void;
  maxPoolGrad2x2(x: number, dy: number, dx: number, n: number, h: number, wd: number, ch: number,
    oh: number, ow: number): void;
  // element-wise passes of the compiled step (assembly/elementwise.ts)
  reluForward(x: number, y: number, size: number): void;
  dropoutApply(a: number, positions: number, count: number, from: number, to: number, keep: number): void;
  dropoutSplit(positions: number, count: number, m: number): number;
  reluGrad(d: number, x: number, size: number): void;
  globalAvgPoolGrad(dy: number, dx: number, n: number, hw: number, c: number): void;
  // the transposed products of a 1x1 conv's backward (assembly/matmul.ts)
  matMulTransA(a: number, b: number, out: number, shared: number, left: number, right: number, iLo: number, iHi: number): void;
  matMulTransB(a: number, w: number, wt: number, out: number, shared: number, right: number, rLo: number, rHi: number): void;
}

/** The parts of tfjs-backend-wasm's BackendWasm that the kernels use. */
export interface WasmBackendLike {
  wasm: {
    HEAPU8: Uint8Array;
    asm?: { memory?: WebAssembly.Memory };
    wasmMemory?: WebAssembly.Memory;
    _malloc(bytes: number): number;
    _free(ptr: number): void;
  };
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: 'float32'): { dataId: object; shape: number[]; dtype: 'float32' };
}

// Same relative path from src/engine (tsx) and dist/engine (compiled).
const WASM_URL = new URL('../../dist/kernels.wasm', import.meta.url);

let compiled: Promise<WebAssembly.Module> | undefined;
const instances = new WeakMap<WebAssembly.Memory, KernelExports>();

export function loadKernelModule(): Promise<WebAssembly.Module> {
  compiled ??= readFile(WASM_URL)
    .then((bytes) => WebAssembly.compile(bytes))
    .catch((cause: unknown) => {
      compiled = undefined;
      throw new WasmKernelError('KERNELS_NOT_BUILT',
        `${fileURLToPath(WASM_URL)}: cannot load the kernel binary; run \`npm run build:kernels\``,
        { cause });
    });
  return compiled;
}

export function readBackendMemory(backend: WasmBackendLike): WebAssembly.Memory {
  const memory = backend.wasm.asm?.memory ?? backend.wasm.wasmMemory;
  if (!(memory instanceof WebAssembly.Memory) || memory.buffer !== backend.wasm.HEAPU8.buffer) {
    throw new WasmKernelError('NO_WASM_MEMORY',
      'tfjs-backend-wasm: cannot find the heap\'s WebAssembly.Memory (looked at wasm.asm.memory and ' +
      'wasm.wasmMemory); this tfjs version is not supported, use @tensorflow/tfjs-backend-wasm 4.22');
  }
  if (!(memory.buffer instanceof SharedArrayBuffer)) {
    throw new WasmKernelError('HEAP_NOT_SHARED',
      'tfjs-backend-wasm was initialized with its stock (unshared) heap; call useSharedHeap() from ' +
      'src/engine/wasmKernelModule before the wasm backend starts (selectBackend does), and run `npm run build`');
  }
  return memory;
}

/**
 * Points tfjs-backend-wasm at its SIMD binary with a shared memory (dist/, see sharedHeap.ts), so
 * the kernels (built for a shared memory) and their second thread can run on its heap. Must be
 * called before the wasm backend initializes; selectBackend does.
 */
export function useSharedHeap(): void {
  const dir = join(packageDir('@tensorflow/tfjs-backend-wasm'), 'wasm-out');
  setWasmPaths({
    'tfjs-backend-wasm.wasm': join(dir, 'tfjs-backend-wasm.wasm'),
    'tfjs-backend-wasm-simd.wasm': fileURLToPath(SHARED_HEAP_URL),
    'tfjs-backend-wasm-threaded-simd.wasm': join(dir, 'tfjs-backend-wasm-threaded-simd.wasm'),
  });
}

/** Synchronous, so kernels can call it; the module must have been loaded first. */
export function instantiateFor(module: WebAssembly.Module, memory: WebAssembly.Memory): KernelExports {
  let exports = instances.get(memory);
  if (exports === undefined) {
    try {
      const instance = new WebAssembly.Instance(module, { env: { memory } });
      exports = instance.exports as unknown as KernelExports;
    } catch (cause) {
      throw new WasmKernelError('INSTANTIATE_FAILED',
        'dist/kernels.wasm: cannot run on the wasm backend\'s heap (a shared-memory, threaded ' +
        'backend needs a build with --sharedMemory); rebuild with `npm run build:kernels`', { cause });
    }
    instances.set(memory, exports);
  }
  return exports;
}
