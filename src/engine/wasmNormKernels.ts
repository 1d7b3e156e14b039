// Custom normalization kernels (BatchNorm / GroupNorm, PyTorch semantics) for the wasm backend
// (AssemblyScript, src/engine/assembly/norm.ts, on the backend's heap) and the cpu backend (the
// same loops in plain JS). Every statistic and backward reduction is summed in f64 in a fixed
// order set by the shapes alone: per (sample, channel) over pixels, then over (sample, channel).
//
//   runKernel('NormregNormForward', {x, gamma, beta}, {groups, kind})
//     -> [out, xhat, mean, invStd, varUnbiased]
//   runKernel('NormregNormBackward', {dout, xhat, gamma, invStd}, {groups, kind})
//     -> [dx, dgamma, dbeta]
// x/out/xhat/dout/dx: NHWC float32 [n,h,w,c]; gamma, beta, dgamma, dbeta: [c]. Per-statistic
// tensors (mean, invStd, varUnbiased) are [c] for kind 'batch' and [n, groups] for kind 'group'
// (backward accepts invStd of any shape with that many values). eps is NORM_KERNEL_EPS (1e-5);
// variance is the biased two-pass mean of squared deviations; varUnbiased = var*count/(count-1).
import * as tf from '@tensorflow/tfjs';
import type { KernelExports, WasmBackendLike } from './wasmKernelModule.js';
import type { KernelTeam } from './kernelThread.js';

export const NORM_FORWARD_KERNEL = 'NormregNormForward';
export const NORM_BACKWARD_KERNEL = 'NormregNormBackward';
const NORM_KERNEL_EPS = 1e-5;

interface NormKernelAttrs { groups: number; kind: 'batch' | 'group' }

type KernelArgs = Parameters<tf.KernelFunc>[0];

/** The norm entries of dist/kernels.wasm (see src/engine/assembly/norm.ts); pointers are heap byte offsets. */
interface NormKernelExports {
  normForward(x: number, gamma: number, beta: number, out: number, xhat: number, mean: number,
    invStd: number, varU: number, acc: number, n: number, hw: number, c: number, groups: number,
    isGroup: number, eps: number): void;
  normBackward(dout: number, xhat: number, gamma: number, invStd: number, dx: number, dgamma: number,
    dbeta: number, acc: number, n: number, hw: number, c: number, groups: number, isGroup: number): void;
  // phases (see src/engine/assembly/norm.ts); the per-sample ones run split over two threads
  normFwdMean(acc: number, n: number, hw: number, c: number, groups: number, isGroup: number): void;
  normFwdStats(acc: number, mean: number, invStd: number, varU: number, n: number, hw: number, c: number,
    groups: number, isGroup: number, eps: number): void;
  normBwdStats(gamma: number, dgamma: number, dbeta: number, acc: number, n: number, hw: number, c: number,
    groups: number, isGroup: number): void;
}

interface Geometry { n: number; hw: number; c: number; groups: number; isGroup: boolean; stats: number; statShape: number[] }

function geometry(x: tf.TensorInfo, attrs: unknown, what: string): Geometry {
  const { groups, kind } = (attrs ?? {}) as Partial<NormKernelAttrs>;
  if (x.shape.length !== 4) throw new Error(`${what}: expected a 4-D NHWC tensor, got shape [${x.shape}]`);
  if (kind !== 'batch' && kind !== 'group') throw new Error(`${what}: attr kind must be 'batch' or 'group', got ${String(kind)}`);
  const [n, h, w, c] = x.shape;
  const isGroup = kind === 'group';
  const g = isGroup ? Number(groups) : 1;
  if (isGroup && (!Number.isInteger(g) || g < 1 || c % g !== 0)) {
    throw new Error(`${what}: groups ${String(groups)} must be a positive divisor of the ${c} channels`);
  }
  return { n, hw: h * w, c, groups: g, isGroup, stats: isGroup ? n * g : c, statShape: isGroup ? [n, g] : [c] };
}

function checkFloat(what: string, ...ts: tf.TensorInfo[]): void {
  for (const t of ts) if (t.dtype !== 'float32') throw new Error(`${what}: inputs must be float32, got ${t.dtype}`);
}

// ---------------------------------------------------------------------------------------------
// Plain-JS implementation (cpu backend; also the reference the wasm code mirrors).

/** Same loops and summation order as normForward in src/engine/assembly/norm.ts. */
function normForwardF64(x: Float32Array, gamma: Float32Array, beta: Float32Array, geo: Omit<Geometry, 'statShape'>,
  eps = NORM_KERNEL_EPS): { out: Float32Array; xhat: Float32Array; mean: Float32Array; invStd: Float32Array; varUnbiased: Float32Array } {
  const { n, hw, c, groups, isGroup, stats: S } = geo;
  const cg = c / groups;
  const count = isGroup ? hw * cg : n * hw;
  const s1 = new Float64Array(n * c);
  const mean = new Float64Array(S);
  const inv = new Float64Array(S);
  const statOf = (b: number, ch: number): number => (isGroup ? b * groups + Math.floor(ch / cg) : ch);
  const statSum = (s: number): number => {
    let t = 0;
    if (isGroup) {
      const b = Math.floor(s / groups), g = s % groups;
      for (let k = 0; k < cg; k++) t += s1[b * c + g * cg + k];
    } else {
      for (let b = 0; b < n; b++) t += s1[b * c + s];
    }
    return t;
  };
  const mc = new Float64Array(c);
  const ic = new Float64Array(c);
  const pixelSums = (b: number, centered: boolean): void => {
    const row = b * c;
    for (let ch = 0; ch < c; ch++) s1[row + ch] = 0;
    let xp = b * hw * c;
    for (let p = 0; p < hw; p++, xp += c) {
      if (centered) {
        for (let ch = 0; ch < c; ch++) { const d = x[xp + ch] - mc[ch]; s1[row + ch] += d * d; }
      } else {
        for (let ch = 0; ch < c; ch++) s1[row + ch] += x[xp + ch];
      }
    }
  };
  for (let b = 0; b < n; b++) pixelSums(b, false);
  for (let s = 0; s < S; s++) mean[s] = statSum(s) / count;
  for (let b = 0; b < n; b++) {
    for (let ch = 0; ch < c; ch++) mc[ch] = mean[statOf(b, ch)];
    pixelSums(b, true);
  }
  const meanOut = new Float32Array(S), invOut = new Float32Array(S), varOut = new Float32Array(S);
  for (let s = 0; s < S; s++) {
    const v = statSum(s) / count;
    inv[s] = 1 / Math.sqrt(v + eps);
    meanOut[s] = mean[s];
    invOut[s] = inv[s];
    varOut[s] = count > 1 ? v * (count / (count - 1)) : v;
  }
  const out = new Float32Array(x.length), xhat = new Float32Array(x.length);
  for (let b = 0; b < n; b++) {
    for (let ch = 0; ch < c; ch++) { mc[ch] = mean[statOf(b, ch)]; ic[ch] = inv[statOf(b, ch)]; }
    let xp = b * hw * c;
    for (let p = 0; p < hw; p++, xp += c) {
      for (let ch = 0; ch < c; ch++) {
        const h = (x[xp + ch] - mc[ch]) * ic[ch];
        xhat[xp + ch] = h;
        out[xp + ch] = h * gamma[ch] + beta[ch];
      }
    }
  }
  return { out, xhat, mean: meanOut, invStd: invOut, varUnbiased: varOut };
}

/** Same loops and summation order as normBackward in src/engine/assembly/norm.ts. */
function normBackwardF64(dout: Float32Array, xhat: Float32Array, gamma: Float32Array, invStd: Float32Array,
  geo: Omit<Geometry, 'statShape'>): { dx: Float32Array; dgamma: Float32Array; dbeta: Float32Array } {
  const { n, hw, c, groups, isGroup, stats: S } = geo;
  const cg = c / groups;
  const count = isGroup ? hw * cg : n * hw;
  const s1 = new Float64Array(n * c), s2 = new Float64Array(n * c);
  const m1 = new Float64Array(S), m2 = new Float64Array(S);
  for (let b = 0; b < n; b++) {
    const row = b * c;
    let xp = b * hw * c;
    for (let p = 0; p < hw; p++, xp += c) {
      for (let ch = 0; ch < c; ch++) {
        const d = dout[xp + ch];
        s1[row + ch] += d;
        s2[row + ch] += d * xhat[xp + ch];
      }
    }
  }
  const dgamma = new Float32Array(c), dbeta = new Float32Array(c);
  for (let ch = 0; ch < c; ch++) {
    let t1 = 0, t2 = 0;
    for (let b = 0; b < n; b++) { t1 += s1[b * c + ch]; t2 += s2[b * c + ch]; }
    dbeta[ch] = t1;
    dgamma[ch] = t2;
    if (!isGroup) {
      const g = gamma[ch];
      m1[ch] = g * t1 / count;
      m2[ch] = g * t2 / count;
    }
  }
  if (isGroup) {
    for (let s = 0; s < S; s++) {
      const b = Math.floor(s / groups), g0 = (s % groups) * cg;
      let t1 = 0, t2 = 0;
      for (let k = 0; k < cg; k++) {
        const g = gamma[g0 + k];
        t1 += g * s1[b * c + g0 + k];
        t2 += g * s2[b * c + g0 + k];
      }
      m1[s] = t1 / count;
      m2[s] = t2 / count;
    }
  }
  const dx = new Float32Array(dout.length);
  const ka = new Float64Array(c), kb = new Float64Array(c), kd = new Float64Array(c);
  for (let b = 0; b < n; b++) {
    for (let ch = 0; ch < c; ch++) {
      const s = isGroup ? b * groups + Math.floor(ch / cg) : ch;
      const is = invStd[s];
      ka[ch] = is * gamma[ch];
      kb[ch] = -is * m1[s];
      kd[ch] = -is * m2[s];
    }
    let xp = b * hw * c;
    for (let p = 0; p < hw; p++, xp += c) {
      for (let ch = 0; ch < c; ch++) dx[xp + ch] = ka[ch] * dout[xp + ch] + kb[ch] + kd[ch] * xhat[xp + ch];
    }
  }
  return { dx, dgamma, dbeta };
}

interface CpuBackendLike {
  data: { get(dataId: object): { values?: unknown } | undefined };
  readSync(dataId: object): unknown;
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): tf.TensorInfo;
}

function cpuValues(backend: CpuBackendLike, t: tf.TensorInfo): Float32Array {
  const v = backend.data.get(t.dataId)?.values ?? backend.readSync(t.dataId);
  if (!(v instanceof Float32Array)) throw new Error('norm kernels (cpu): expected float32 tensor data');
  return v;
}

function runNormForwardCpu(args: KernelArgs): tf.TensorInfo[] {
  const backend = args.backend as unknown as CpuBackendLike;
  const { x, gamma, beta } = args.inputs as { x: tf.TensorInfo; gamma: tf.TensorInfo; beta: tf.TensorInfo };
  checkFloat(NORM_FORWARD_KERNEL, x, gamma, beta);
  const geo = geometry(x, args.attrs, NORM_FORWARD_KERNEL);
  const r = normForwardF64(cpuValues(backend, x), cpuValues(backend, gamma), cpuValues(backend, beta), geo);
  return [
    backend.makeTensorInfo(x.shape, 'float32', r.out),
    backend.makeTensorInfo(x.shape, 'float32', r.xhat),
    backend.makeTensorInfo(geo.statShape, 'float32', r.mean),
    backend.makeTensorInfo(geo.statShape, 'float32', r.invStd),
    backend.makeTensorInfo(geo.statShape, 'float32', r.varUnbiased),
  ];
}

function runNormBackwardCpu(args: KernelArgs): tf.TensorInfo[] {
  const backend = args.backend as unknown as CpuBackendLike;
  const { dout, xhat, gamma, invStd } = args.inputs as Record<'dout' | 'xhat' | 'gamma' | 'invStd', tf.TensorInfo>;
  checkFloat(NORM_BACKWARD_KERNEL, dout, xhat, gamma, invStd);
  const geo = geometry(dout, args.attrs, NORM_BACKWARD_KERNEL);
  const r = normBackwardF64(cpuValues(backend, dout), cpuValues(backend, xhat), cpuValues(backend, gamma),
    cpuValues(backend, invStd), geo);
  const c = geo.c;
  return [
    backend.makeTensorInfo(dout.shape, 'float32', r.dx),
    backend.makeTensorInfo([c], 'float32', r.dgamma),
    backend.makeTensorInfo([c], 'float32', r.dbeta),
  ];
}

/** Registers the plain-JS kernels for the 'cpu' backend (idempotent). */
export function registerCpuNormKernels(): void {
  for (const [kernelName, kernelFunc] of [[NORM_FORWARD_KERNEL, runNormForwardCpu], [NORM_BACKWARD_KERNEL, runNormBackwardCpu]] as const) {
    if (tf.getKernel(kernelName, 'cpu') === undefined) {
      tf.registerKernel({ kernelName, backendName: 'cpu', kernelFunc: kernelFunc as unknown as tf.KernelFunc });
    }
  }
}

// ---------------------------------------------------------------------------------------------
// wasm implementation (registered by registerWasmKernels in wasmKernels.ts).

function offsetOf(backend: WasmBackendLike, t: tf.TensorInfo): number {
  const data = backend.dataIdMap.get(t.dataId);
  if (data === undefined) throw new Error('norm kernels (wasm): tensor is not on the wasm backend');
  return data.memoryOffset;
}

function withAcc<T>(backend: WasmBackendLike, doubles: number, f: (acc: number) => T): T {
  const ptr = backend.wasm._malloc(doubles * 8 + 8);
  try {
    return f((ptr + 7) & ~7); // f64 scratch wants 8-byte alignment
  } finally {
    backend.wasm._free(ptr);
  }
}

function scratchDoubles(geo: Geometry): number {
  return 2 * geo.n * geo.c + 2 * geo.stats + 3 * geo.c;
}

/** Below this many elements a second thread costs more than it saves. */
const SPLIT_MIN_ELEMENTS = 16384;

function splitTeam(team: KernelTeam | undefined, geo: Geometry): KernelTeam | undefined {
  return team && geo.n >= 2 && geo.n * geo.hw * geo.c >= SPLIT_MIN_ELEMENTS ? team : undefined;
}

export function runNormForwardWasm(args: KernelArgs, exports: KernelExports, team?: KernelTeam): tf.TensorInfo[] {
  const k = exports as unknown as NormKernelExports;
  const backend = args.backend as unknown as WasmBackendLike;
  const { x, gamma, beta } = args.inputs as { x: tf.TensorInfo; gamma: tf.TensorInfo; beta: tf.TensorInfo };
  checkFloat(NORM_FORWARD_KERNEL, x, gamma, beta);
  const geo = geometry(x, args.attrs, NORM_FORWARD_KERNEL);
  const out = backend.makeOutput(x.shape, 'float32');
  const xhat = backend.makeOutput(x.shape, 'float32');
  const mean = backend.makeOutput(geo.statShape, 'float32');
  const invStd = backend.makeOutput(geo.statShape, 'float32');
  const varU = backend.makeOutput(geo.statShape, 'float32');
  if (geo.n * geo.hw * geo.c > 0) {
    const two = splitTeam(team, geo);
    const { n, hw, c, groups, stats: S } = geo;
    const isG = geo.isGroup ? 1 : 0;
    withAcc(backend, scratchDoubles(geo) + (two ? 3 * c : 0), (acc) => {
      const [px, pg, pb, po, ph] = [x, gamma, beta, out, xhat].map((t) => offsetOf(backend, t));
      const [pm, pi, pv] = [mean, invStd, varU].map((t) => offsetOf(backend, t));
      if (!two) {
        k.normForward(px, pg, pb, po, ph, pm, pi, pv, acc, n, hw, c, groups, isG, NORM_KERNEL_EPS);
        return;
      }
      // The whole call's phases (assembly/norm.ts normForward), per-sample ones split at sample h.
      const h = n >> 1;
      const own0 = acc + (n * c + 2 * S) * 8;
      const own1 = acc + (2 * n * c + 2 * S + 3 * c) * 8;
      two.split('normFwdSums', [px, acc, 0, h, hw, c], [px, acc, h, n, hw, c]);
      k.normFwdMean(acc, n, hw, c, groups, isG);
      two.split('normFwdSqSums', [px, acc, own0, 0, h, n, hw, c, groups, isG], [px, acc, own1, h, n, n, hw, c, groups, isG]);
      k.normFwdStats(acc, pm, pi, pv, n, hw, c, groups, isG, NORM_KERNEL_EPS);
      two.split('normFwdSamples', [px, pg, pb, po, ph, acc, own0, 0, h, n, hw, c, groups, isG],
        [px, pg, pb, po, ph, acc, own1, h, n, n, hw, c, groups, isG]);
    });
  }
  return [out, xhat, mean, invStd, varU] as tf.TensorInfo[];
}

export function runNormBackwardWasm(args: KernelArgs, exports: KernelExports, team?: KernelTeam): tf.TensorInfo[] {
  const k = exports as unknown as NormKernelExports;
  const backend = args.backend as unknown as WasmBackendLike;
  const { dout, xhat, gamma, invStd } = args.inputs as Record<'dout' | 'xhat' | 'gamma' | 'invStd', tf.TensorInfo>;
  checkFloat(NORM_BACKWARD_KERNEL, dout, xhat, gamma, invStd);
  const geo = geometry(dout, args.attrs, NORM_BACKWARD_KERNEL);
  const dx = backend.makeOutput(dout.shape, 'float32');
  const dgamma = backend.makeOutput([geo.c], 'float32');
  const dbeta = backend.makeOutput([geo.c], 'float32');
  if (geo.n * geo.hw * geo.c > 0) {
    const two = splitTeam(team, geo);
    const { n, hw, c, groups, stats: S } = geo;
    const isG = geo.isGroup ? 1 : 0;
    withAcc(backend, scratchDoubles(geo) + (two ? 3 * c : 0), (acc) => {
      const [pd, ph, pg, pi, px, pdg, pdb] = [dout, xhat, gamma, invStd, dx, dgamma, dbeta].map((t) => offsetOf(backend, t));
      if (!two) {
        k.normBackward(pd, ph, pg, pi, px, pdg, pdb, acc, n, hw, c, groups, isG);
        return;
      }
      const h = n >> 1;
      const own0 = acc + (2 * n * c + 2 * S) * 8;
      const own1 = own0 + 3 * c * 8;
      two.split('normBwdSums', [pd, ph, acc, 0, h, n, hw, c], [pd, ph, acc, h, n, n, hw, c]);
      k.normBwdStats(pg, pdg, pdb, acc, n, hw, c, groups, isG);
      two.split('normBwdSamples', [pd, ph, pg, pi, px, acc, own0, 0, h, n, hw, c, groups, isG],
        [pd, ph, pg, pi, px, acc, own1, h, n, n, hw, c, groups, isG]);
    });
  }
  return [dx, dgamma, dbeta] as tf.TensorInfo[];
}
