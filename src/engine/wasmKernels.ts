// Custom kernels for tfjs-backend-wasm: AssemblyScript SIMD code running on the backend's own
// heap (zero copies). Each kernel takes its fast path only for the shapes it was written for
// (NHWC float32, stride 1, any zero padding ('valid', 'same'), dilation 1; max pool 2x2 stride 2) and otherwise hands
// the call to the stock kernel or, where the stock one is missing or wrong, a plain port of
// tfjs-cpu's loops.
import * as tf from '@tensorflow/tfjs';
import { runConv2DBackpropFilterPlain, runMaxPoolGradPlain } from './wasmKernelFallbacks.js';
import {
  NORM_BACKWARD_KERNEL, NORM_FORWARD_KERNEL, runNormBackwardWasm, runNormForwardWasm,
} from './wasmNormKernels.js';
import {
  instantiateFor, loadKernelModule, readBackendMemory, WasmKernelError,
  type KernelExports, type WasmBackendLike,
} from './wasmKernelModule.js';
import { startKernelThread, type KernelTeam } from './kernelThread.js';

export { WasmKernelError, useSharedHeap, type KernelExports } from './wasmKernelModule.js';
export { KernelThreadError, type AleaState, type DrawLayer } from './kernelThread.js';

/** The fused optimizer step (src/engine/assembly/sgd.ts); see src/train/optimizer.ts. */
export const SGD_KERNEL = 'NormregSgd';

type KernelArgs = Parameters<tf.KernelFunc>[0];
type Conv2DInfo = tf.backend_util.Conv2DInfo;
type Shape4 = [number, number, number, number];
type Pad = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
type Rounding = 'floor' | 'round' | 'ceil' | undefined;

/** Every kernel this module can register, in registration order. */
export const WASM_KERNEL_NAMES = [
  'Conv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter', 'MaxPoolGrad', NORM_FORWARD_KERNEL, NORM_BACKWARD_KERNEL,
  SGD_KERNEL,
] as const;

const BACKEND = 'wasm';
let kernelModule: WebAssembly.Module | undefined;
/** Stock configs replaced by registerWasmKernels (undefined: there was none). */
const replaced = new Map<string, tf.KernelConfig | undefined>();
/** The second thread, when registerWasmKernels was asked for two. */
let team: KernelTeam | undefined;
/** Below this many multiply-adds (convs) or elements (pooling) a kernel runs on one thread. */
const SPLIT_MIN_WORK = 200_000;

function readExports(backend: WasmBackendLike): KernelExports {
  if (kernelModule === undefined) {
    throw new WasmKernelError('KERNELS_NOT_BUILT', 'wasm kernels: called before registerWasmKernels() loaded the binary');
  }
  return instantiateFor(kernelModule, readBackendMemory(backend));
}

function offsetOf(backend: WasmBackendLike, t: tf.TensorInfo): number {
  const data = backend.dataIdMap.get(t.dataId);
  if (data === undefined) throw new Error('wasm kernels: tensor is not on the wasm backend');
  return data.memoryOffset;
}

function viewOf(backend: WasmBackendLike, t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array {
  const buffer = backend.wasm.HEAPU8.buffer; // re-read: the heap may have grown
  const offset = offsetOf(backend, t);
  const size = tf.util.sizeFromShape(t.shape);
  if (t.dtype === 'int32') return new Int32Array(buffer, offset, size);
  if (t.dtype === 'bool') return new Uint8Array(buffer, offset, size);
  return new Float32Array(buffer, offset, size);
}

/** The fast path's conditions: NHWC, stride 1, dilation 1, zero padding of any width ('valid' is
 * none), float32, non-empty. */
function isPlainConv(info: Conv2DInfo, inputs: tf.TensorInfo[]): boolean {
  const p = info.padInfo;
  return info.dataFormat === 'channelsLast' &&
    info.strideHeight === 1 && info.strideWidth === 1 &&
    info.dilationHeight === 1 && info.dilationWidth === 1 &&
    p.top >= 0 && p.bottom >= 0 && p.left >= 0 && p.right >= 0 &&
    info.outHeight === info.inHeight + p.top + p.bottom - info.filterHeight + 1 &&
    info.outWidth === info.inWidth + p.left + p.right - info.filterWidth + 1 &&
    info.batchSize > 0 && info.outHeight > 0 && info.outWidth > 0 &&
    info.inChannels > 0 && info.outChannels > 0 &&
    inputs.every((t) => t.dtype === 'float32');
}

function withScratch<T>(backend: WasmBackendLike, bytes: number, f: (ptr: number) => T): T {
  const ptr = backend.wasm._malloc(bytes);
  try {
    return f(ptr);
  } finally {
    backend.wasm._free(ptr);
  }
}

function callStock(name: string, args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] {
  const stock = replaced.get(name);
  if (stock === undefined) throw new Error(`wasm kernels: no stock ${name} kernel to fall back to`);
  return stock.kernelFunc(args);
}

function runConv2D(args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] {
  const backend = args.backend as WasmBackendLike;
  const { x, filter } = args.inputs as { x: tf.TensorInfo; filter: tf.TensorInfo };
  const { strides, pad, dataFormat, dilations, dimRoundingMode } = args.attrs as unknown as tf.Conv2DAttrs;
  const info = tf.backend_util.computeConv2DInfo(x.shape as Shape4, filter.shape as Shape4, strides,
    dilations, pad as Pad, dimRoundingMode as Rounding, false,
    tf.backend_util.convertConv2DDataFormat(dataFormat));
  if (!isPlainConv(info, [x, filter])) return callStock('Conv2D', args);
  const k = readExports(backend);
  const out = backend.makeOutput(info.outShape, 'float32');
  runConvPadded(k, offsetOf(backend, x), offsetOf(backend, filter), offsetOf(backend, out),
    info.batchSize, info.inHeight, info.inWidth, info.inChannels,
    info.filterHeight, info.filterWidth, info.outChannels, info.outHeight, info.outWidth, info.padInfo.top, info.padInfo.left);
  return out;
}

/** conv2dPadded, split over images when a second thread is there (images are independent). */
function runConvPadded(k: KernelExports, x: number, w: number, y: number, n: number, h: number, wd: number,
  ci: number, kh: number, kw: number, co: number, oh: number, ow: number, padT: number, padL: number): void {
  const rest = [h, wd, ci, kh, kw, co, oh, ow, padT, padL];
  if (!team || n < 2 || n * oh * ow * co * kh * kw * ci < SPLIT_MIN_WORK) {
    k.conv2dPadded(x, w, y, n, ...(rest as [number, number, number, number, number, number, number, number, number, number]));
    return;
  }
  const m = n >> 1;
  team.split('conv2dPadded', [x, w, y, m, ...rest],
    [x + m * h * wd * ci * 4, w, y + m * oh * ow * co * 4, n - m, ...rest]);
}

/** dx as a forward conv of dy (zero-padded by kernel-1) with the flipped, in/out-swapped filter. */
function runConv2DBackpropInput(args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] {
  const backend = args.backend as WasmBackendLike;
  const { dy, filter } = args.inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const { inputShape, strides, pad, dataFormat, dimRoundingMode } =
    args.attrs as unknown as tf.Conv2DBackpropInputAttrs;
  const info = tf.backend_util.computeConv2DInfo(inputShape as Shape4, filter.shape as Shape4, strides,
    1, pad as Pad, dimRoundingMode as Rounding, false, tf.backend_util.convertConv2DDataFormat(dataFormat));
  if (!isPlainConv(info, [dy, filter]) || !tf.util.arraysEqual(dy.shape, info.outShape)) {
    return callStock('Conv2DBackpropInput', args);
  }
  const k = readExports(backend);
  const { filterHeight: fh, filterWidth: fw, inChannels: ci, outChannels: co } = info;
  const out = backend.makeOutput(info.inShape, 'float32');
  withScratch(backend, fh * fw * ci * co * 4, (wt) => {
    k.flipSwapFilter(offsetOf(backend, filter), wt, fh, fw, ci, co);
    runConvPadded(k, offsetOf(backend, dy), wt, offsetOf(backend, out),
      info.batchSize, info.outHeight, info.outWidth, co, fh, fw, ci, info.inHeight, info.inWidth,
      fh - 1 - info.padInfo.top, fw - 1 - info.padInfo.left);
  });
  return out;
}

function runConv2DBackpropFilter(args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] {
  const backend = args.backend as WasmBackendLike;
  const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } =
    args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  const info = tf.backend_util.computeConv2DInfo(x.shape as Shape4, filterShape as Shape4, strides,
    1, pad as Pad, dimRoundingMode as Rounding, false, tf.backend_util.convertConv2DDataFormat(dataFormat));
  const out = backend.makeOutput(info.filterShape, 'float32');
  if (!isPlainConv(info, [x, dy]) || !tf.util.arraysEqual(dy.shape, info.outShape)) {
    // No stock kernel exists on wasm: the plain loop is slow but correct.
    runConv2DBackpropFilterPlain(viewOf(backend, x), viewOf(backend, dy), info,
      viewOf(backend, out) as Float32Array);
    return out;
  }
  const k = readExports(backend);
  const { filterHeight: fh, filterWidth: fw, inChannels: ci, outChannels: co } = info;
  const p = info.padInfo;
  const [hp, wp] = [info.inHeight + p.top + p.bottom, info.inWidth + p.left + p.right];
  const padded = p.top + p.bottom + p.left + p.right > 0;
  const xBytes = padded ? info.batchSize * hp * wp * ci * 4 : 0;
  withScratch(backend, fh * fw * ci * co * 8 + 8 + xBytes, (scratch) => {
    const acc = (scratch + 7) & ~7; // f64 partial sums want 8-byte alignment
    let xp = offsetOf(backend, x);
    if (padded) {
      // a zero-padded copy of x: the 'valid' kernel on it is the padded conv's filter gradient
      xp = acc + fh * fw * ci * co * 8;
      const dst = new Float32Array(backend.wasm.HEAPU8.buffer, xp, info.batchSize * hp * wp * ci);
      dst.fill(0);
      const src = viewOf(backend, x) as Float32Array;
      const row = info.inWidth * ci;
      for (let b = 0; b < info.batchSize; b++)
        for (let r = 0; r < info.inHeight; r++) {
          const from = (b * info.inHeight + r) * row;
          dst.set(src.subarray(from, from + row), ((b * hp + r + p.top) * wp + p.left) * ci);
        }
    }
    const args = [xp, offsetOf(backend, dy), offsetOf(backend, out), acc,
      info.batchSize, hp, wp, ci, fh, fw, co, info.outHeight, info.outWidth];
    const jj = fw * ci;
    if (!team || jj < 2 || info.batchSize * info.outHeight * info.outWidth * co * fh * jj < SPLIT_MIN_WORK) {
      k.conv2dFilterGradPart(...(args as Parameters<KernelExports['conv2dFilterGrad']>), 0, jj);
      return;
    }
    // Each thread takes whole filter columns j (an even count first, to keep paired tiles).
    let half = jj >> 1;
    if (half % 2 === 1 && half + 1 < jj) half++;
    team.split('conv2dFilterGradPart', [...args, 0, half], [...args, half, jj]);
  });
  return out;
}

/** Always replaces the stock kernel, whose gradients are wrong (see the module's tests). */
function runMaxPoolGrad(args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] {
  const backend = args.backend as WasmBackendLike;
  const { dy, input } = args.inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
  const { filterSize, strides, pad, dimRoundingMode } = args.attrs as unknown as tf.MaxPoolGradAttrs;
  const info = tf.backend_util.computePool2DInfo(input.shape as Shape4, filterSize, strides, 1,
    pad as Pad, dimRoundingMode as Rounding);
  const out = backend.makeOutput(input.shape, 'float32');
  const p = info.padInfo;
  const fast = info.filterHeight === 2 && info.filterWidth === 2 &&
    info.strideHeight === 2 && info.strideWidth === 2 &&
    p.top === 0 && p.bottom === 0 && p.left === 0 && p.right === 0 &&
    info.outHeight * 2 <= info.inHeight && info.outWidth * 2 <= info.inWidth &&
    tf.util.sizeFromShape(input.shape) > 0 && input.dtype === 'float32' && dy.dtype === 'float32' &&
    tf.util.arraysEqual(dy.shape, info.outShape);
  if (!fast) {
    runMaxPoolGradPlain(viewOf(backend, input), viewOf(backend, dy), info, viewOf(backend, out) as Float32Array);
    return out;
  }
  const k = readExports(backend);
  const [px, pd, po] = [input, dy, out].map((t) => offsetOf(backend, t));
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow } = info;
  if (!team || n < 2 || n * h * w * c < SPLIT_MIN_WORK) {
    k.maxPoolGrad2x2(px, pd, po, n, h, w, c, oh, ow);
    return out;
  }
  const m = n >> 1;
  const inImage = h * w * c * 4;
  team.split('maxPoolGrad2x2', [px, pd, po, m, h, w, c, oh, ow],
    [px + m * inImage, pd + m * oh * ow * c * 4, po + m * inImage, n - m, h, w, c, oh, ow]);
  return out;
}

/** One fused SGD step for one parameter: inputs {p, g, buf?}, attrs {lr, momentum, weightDecay, l1}. */
function runSgd(args: KernelArgs): tf.TensorInfo[] {
  const backend = args.backend as WasmBackendLike;
  const { p, g, buf } = args.inputs as { p: tf.TensorInfo; g: tf.TensorInfo; buf?: tf.TensorInfo };
  const { lr, momentum, weightDecay, l1 } = args.attrs as unknown as { lr: number; momentum: number; weightDecay: number; l1: number };
  for (const t of [p, g, buf]) {
    if (t && (t.dtype !== 'float32' || !tf.util.arraysEqual(t.shape, p.shape))) {
      throw new Error(`${SGD_KERNEL}: p, g and buf must be float32 of one shape (got [${p.shape}], [${t.shape}] ${t.dtype})`);
    }
  }
  const pOut = backend.makeOutput(p.shape, 'float32');
  const bufOut = backend.makeOutput(p.shape, 'float32');
  const size = tf.util.sizeFromShape(p.shape);
  if (size > 0) {
    readExports(backend).sgdUpdate(offsetOf(backend, p), offsetOf(backend, g), buf ? offsetOf(backend, buf) : 0,
      offsetOf(backend, pOut), offsetOf(backend, bufOut), size, lr, momentum, weightDecay, l1,
      buf ? 0 : 1, l1 !== 0 ? 1 : 0, weightDecay !== 0 ? 1 : 0);
  }
  return [pOut, bufOut];
}

const KERNEL_FUNCS: Record<(typeof WASM_KERNEL_NAMES)[number], tf.KernelFunc> = {
  Conv2D: runConv2D,
  Conv2DBackpropInput: runConv2DBackpropInput,
  Conv2DBackpropFilter: runConv2DBackpropFilter,
  MaxPoolGrad: runMaxPoolGrad,
  // New kernels (no stock ones): see wasmNormKernels.ts.
  [NORM_FORWARD_KERNEL]: (args: KernelArgs) => runNormForwardWasm(args, readExports(args.backend as WasmBackendLike), team),
  [NORM_BACKWARD_KERNEL]: (args: KernelArgs) => runNormBackwardWasm(args, readExports(args.backend as WasmBackendLike), team),
  [SGD_KERNEL]: runSgd as unknown as tf.KernelFunc,
};

function validateNames(names: string[]): Array<(typeof WASM_KERNEL_NAMES)[number]> {
  for (const name of names) {
    if (!(WASM_KERNEL_NAMES as readonly string[]).includes(name)) {
      throw new WasmKernelError('UNKNOWN_KERNEL',
        `registerWasmKernels: kernels: unknown kernel '${name}'; choose from ${WASM_KERNEL_NAMES.join(', ')}`);
    }
  }
  return names as Array<(typeof WASM_KERNEL_NAMES)[number]>;
}

/**
 * Replaces the wasm backend's kernels (all of WASM_KERNEL_NAMES unless `kernels` says which) with
 * this module's. Call after `await tf.setBackend('wasm')`; calling again is harmless. `threads: 2`
 * starts the second kernel thread (results are the same bytes as with 1), `threads: 1` stops it.
 * Returns the names now registered.
 */
export async function registerWasmKernels(opts: { kernels?: string[]; threads?: number; deadlineMs?: number } = {}): Promise<string[]> {
  const names = validateNames(opts.kernels ?? [...WASM_KERNEL_NAMES]);
  const threads = opts.threads ?? 1;
  if (threads !== 1 && threads !== 2) {
    throw new WasmKernelError('UNKNOWN_KERNEL', `registerWasmKernels: threads must be 1 or 2 (got ${threads})`);
  }
  if (tf.getBackend() !== BACKEND) {
    throw new WasmKernelError('NOT_WASM_BACKEND',
      `registerWasmKernels: the active backend is '${tf.getBackend()}'; call ` +
      '`await tf.setBackend(\'wasm\')` (after importing @tensorflow/tfjs-backend-wasm) first');
  }
  kernelModule = await loadKernelModule();
  const exports = readExports(tf.backend() as unknown as WasmBackendLike); // fail here, not inside a training step
  if (threads === 1 && team) await stopKernelThread();
  if (threads === 2 && !team) {
    team = await startKernelThread(kernelModule, readBackendMemory(tf.backend() as unknown as WasmBackendLike),
      exports as unknown as Record<string, (...a: number[]) => void>, { deadlineMs: opts.deadlineMs });
  }
  for (const name of names) {
    const current = tf.getKernel(name, BACKEND) as tf.KernelConfig | undefined;
    if (current?.kernelFunc === KERNEL_FUNCS[name]) continue;
    if (!replaced.has(name)) replaced.set(name, current);
    const stock = replaced.get(name);
    if (current !== undefined) tf.unregisterKernel(name, BACKEND);
    tf.registerKernel({
      kernelName: name,
      backendName: BACKEND,
      kernelFunc: KERNEL_FUNCS[name],
      // The stock fallback still needs its own setup when the backend is (re)initialized.
      setupFunc: stock?.setupFunc,
      disposeFunc: stock?.disposeFunc,
    });
  }
  return names;
}

/** The kernel binary's exports on the active wasm backend's heap, for callers that run kernels
 * without tfjs's engine (src/train/compiledStep.ts); undefined when the kernels are not registered. */
export function wasmKernelExports(): KernelExports | undefined {
  if (kernelModule === undefined || tf.getBackend() !== BACKEND) return undefined;
  return readExports(tf.backend() as unknown as WasmBackendLike);
}

/** The compiled step's own kernels (assembly/elementwise.ts, assembly/matmul.ts), each split over
 * the two threads when the helper is there: element-wise passes at an element boundary (a multiple
 * of 4, so both halves keep their SIMD lanes), the products by output rows. Every output element
 * is computed by one thread with the arithmetic of one, so the bytes do not depend on the split. */
export interface StepKernels {
  reluForward(x: number, y: number, size: number): void;
  reluGrad(d: number, x: number, size: number): void;
  dropout(a: number, positions: number, count: number, size: number, keep: number): void;
  globalAvgPoolGrad(dy: number, dx: number, n: number, hw: number, c: number): void;
  matMulTransA(a: number, b: number, out: number, shared: number, left: number, right: number): void;
  matMulTransB(a: number, w: number, wt: number, out: number, shared: number, right: number, rows: number): void;
  sgdUpdate: KernelExports['sgdUpdate'];
}

/** Below this many elements an element-wise pass stays on one thread. */
const SPLIT_MIN_ELEMENTS = 32_768;

export function stepKernels(): StepKernels | undefined {
  const k = wasmKernelExports();
  if (k === undefined) return undefined;
  const half = (size: number) => (size >> 3) << 2; // a multiple of 4 near size / 2
  const pairwise = (fn: 'reluForward' | 'reluGrad', a: number, b: number, size: number) => {
    if (!team || size < SPLIT_MIN_ELEMENTS) { k[fn](a, b, size); return; }
    const m = half(size);
    team.split(fn, [a, b, m], [a + 4 * m, b + 4 * m, size - m]);
  };
  return {
    reluForward: (x, y, size) => pairwise('reluForward', x, y, size),
    reluGrad: (d, x, size) => pairwise('reluGrad', d, x, size),
    dropout(a, positions, count, size, keep) {
      if (!team || size < SPLIT_MIN_ELEMENTS) { k.dropoutApply(a, positions, count, 0, size, keep); return; }
      const m = half(size);
      const below = k.dropoutSplit(positions, count, m); // each half zeroes its own positions
      team.split('dropoutApply', [a, positions, below, 0, m, keep], [a, positions + 4 * below, count - below, m, size, keep]);
    },
    globalAvgPoolGrad: (dy, dx, n, hw, c) => k.globalAvgPoolGrad(dy, dx, n, hw, c),
    matMulTransA(a, b, out, shared, left, right) {
      if (!team || left < 2 || shared * left * right < SPLIT_MIN_WORK) { k.matMulTransA(a, b, out, shared, left, right, 0, left); return; }
      const m = left >> 1;
      team.split('matMulTransA', [a, b, out, shared, left, right, 0, m], [a, b, out, shared, left, right, m, left]);
    },
    matMulTransB(a, w, wt, out, shared, right, rows) {
      // each thread transposes w into its own half of wt (2 * shared * right floats)
      if (!team || rows < 2 || rows * shared * right < SPLIT_MIN_WORK) { k.matMulTransB(a, w, wt, out, shared, right, 0, rows); return; }
      const m = rows >> 1;
      team.split('matMulTransB', [a, w, wt, out, shared, right, 0, m], [a, w, wt + 4 * shared * right, out, shared, right, m, rows]);
    },
    sgdUpdate: k.sgdUpdate,
  };
}

/** The helper thread's dropout draws ahead (kernelThread.ts), when there is a helper thread. */
export type DrawAhead = Pick<KernelTeam, 'postDraws' | 'takeDraws'>;
export function drawAhead(): DrawAhead | undefined {
  return team;
}

/** Threads the registered kernels use (1, or 2 with the helper thread). */
export function wasmKernelThreads(): 1 | 2 {
  return team ? 2 : 1;
}

/** Stops the second kernel thread, if any; kernels then run on one thread. */
export async function stopKernelThread(): Promise<void> {
  const t = team;
  team = undefined;
  await t?.close();
}

/** Puts the stock kernels back (and removes Conv2DBackpropFilter, which had none). Returns the names restored. */
export function unregisterWasmKernels(): string[] {
  const names = [...replaced.keys()];
  for (const [name, stock] of replaced) {
    if (tf.getKernel(name, BACKEND) !== undefined) tf.unregisterKernel(name, BACKEND);
    if (stock !== undefined) tf.registerKernel(stock);
  }
  replaced.clear();
  return names;
}
