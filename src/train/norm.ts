/** Normalization layers with explicit backward passes (PyTorch semantics, eps 1e-5).
 * BatchNorm normalizes per channel over N,H,W; GroupNorm per sample over each group of channels
 * and H,W (LayerNorm is GroupNorm with one group). Variance is the biased two-pass mean of squares. */
import * as tf from '@tensorflow/tfjs';
import { NORM_BACKWARD_KERNEL, NORM_FORWARD_KERNEL, registerCpuNormKernels } from '../engine/wasmNormKernels.js';

// Fused kernels (f64 statistics, fixed summation order) on the backends that have them: cpu
// (registered here) and wasm (registered by registerWasmKernels). Elsewhere: core ops below.
registerCpuNormKernels();

function hasKernel(name: string): boolean {
  return tf.getKernel(name, tf.getBackend()) !== undefined;
}

export type NormKind = 'batch' | 'group';

export interface NormCache {
  xhat: tf.Tensor4D;
  invStd: tf.Tensor;
  groups: number;
  kind: NormKind;
  /** set when the fused forward kernel produced this cache (invStd then holds n*groups or c values) */
  fused?: boolean;
}

const NORM_EPS = 1e-5;

export interface NormForward {
  out: tf.Tensor4D;
  cache: NormCache;
  /** batch norm only: batch mean and unbiased variance for the running statistics */
  batchMean?: tf.Tensor1D;
  batchVarUnbiased?: tf.Tensor1D;
}

export function normForwardTrain(a: tf.Tensor4D, kind: NormKind, groups: number, gamma: tf.Tensor1D, beta: tf.Tensor1D): NormForward {
  const [n, h, w, c] = a.shape;
  if (hasKernel(NORM_FORWARD_KERNEL)) {
    const g = kind === 'batch' ? 1 : groups;
    const [out, xhat, mean, invStd, varU] = tf.engine().runKernel(NORM_FORWARD_KERNEL, { x: a, gamma, beta },
      { groups: g, kind } as unknown as tf.NamedAttrMap) as tf.Tensor[];
    if (kind === 'batch') {
      return {
        out: out as tf.Tensor4D, cache: { xhat: xhat as tf.Tensor4D, invStd, groups: 1, kind, fused: true },
        batchMean: mean as tf.Tensor1D, batchVarUnbiased: varU as tf.Tensor1D,
      };
    }
    mean.dispose();
    varU.dispose();
    const inv4 = tf.reshape(invStd, [n, 1, g, 1]); // the core-ops layout, for a backward without the kernel
    invStd.dispose();
    return { out: out as tf.Tensor4D, cache: { xhat: xhat as tf.Tensor4D, invStd: inv4, groups: g, kind, fused: true } };
  }
  if (kind === 'batch') {
    const mean = tf.mean(a, [0, 1, 2]);
    const centered = tf.sub(a, mean);
    const variance = tf.mean(tf.square(centered), [0, 1, 2]);
    const invStd = tf.rsqrt(tf.add(variance, NORM_EPS));
    const xhat = tf.mul(centered, invStd) as tf.Tensor4D;
    const out = tf.add(tf.mul(xhat, gamma), beta) as tf.Tensor4D;
    const count = n * h * w;
    const unbiased = count > 1 ? tf.mul(variance, count / (count - 1)) : variance;
    return { out, cache: { xhat, invStd, groups: 1, kind }, batchMean: mean as tf.Tensor1D, batchVarUnbiased: unbiased as tf.Tensor1D };
  }
  const a4 = tf.reshape(a, [n, h * w, groups, c / groups]);
  const mean = tf.mean(a4, [1, 3], true);
  const centered = tf.sub(a4, mean);
  const variance = tf.mean(tf.square(centered), [1, 3], true);
  const invStd = tf.rsqrt(tf.add(variance, NORM_EPS));
  const xhat = tf.reshape(tf.mul(centered, invStd), [n, h, w, c]) as tf.Tensor4D;
  const out = tf.add(tf.mul(xhat, gamma), beta) as tf.Tensor4D;
  return { out, cache: { xhat, invStd, groups, kind } };
}

export function normForwardEval(
  a: tf.Tensor4D, kind: NormKind, groups: number, gamma: tf.Tensor1D, beta: tf.Tensor1D,
  running?: { mean: tf.Tensor1D; variance: tf.Tensor1D },
): tf.Tensor4D {
  if (kind === 'batch') {
    if (!running) throw new Error('batch norm in eval mode needs running statistics');
    const invStd = tf.rsqrt(tf.add(running.variance, NORM_EPS));
    return tf.add(tf.mul(tf.mul(tf.sub(a, running.mean), invStd), gamma), beta) as tf.Tensor4D;
  }
  return normForwardTrain(a, kind, groups, gamma, beta).out;
}

export function normBackward(dout: tf.Tensor4D, cache: NormCache, gamma: tf.Tensor1D): { dx: tf.Tensor4D; dgamma: tf.Tensor1D; dbeta: tf.Tensor1D } {
  const { xhat, invStd } = cache;
  if (hasKernel(NORM_BACKWARD_KERNEL)) {
    const [dx, dgamma, dbeta] = tf.engine().runKernel(NORM_BACKWARD_KERNEL, { dout, xhat, gamma, invStd },
      { groups: cache.kind === 'batch' ? 1 : cache.groups, kind: cache.kind } as unknown as tf.NamedAttrMap) as tf.Tensor[];
    return { dx: dx as tf.Tensor4D, dgamma: dgamma as tf.Tensor1D, dbeta: dbeta as tf.Tensor1D };
  }
  const dgamma = tf.sum(tf.mul(dout, xhat), [0, 1, 2]) as tf.Tensor1D;
  const dbeta = tf.sum(dout, [0, 1, 2]) as tf.Tensor1D;
  const dxhat = tf.mul(dout, gamma) as tf.Tensor4D;
  if (cache.kind === 'batch') {
    const m1 = tf.mean(dxhat, [0, 1, 2]);
    const m2 = tf.mean(tf.mul(dxhat, xhat), [0, 1, 2]);
    const dx = tf.mul(tf.sub(tf.sub(dxhat, m1), tf.mul(xhat, m2)), invStd) as tf.Tensor4D;
    return { dx, dgamma, dbeta };
  }
  const [n, h, w, c] = dout.shape;
  const g = cache.groups;
  const shape4 = [n, h * w, g, c / g];
  const d4 = tf.reshape(dxhat, shape4);
  const x4 = tf.reshape(xhat, shape4);
  const m1 = tf.mean(d4, [1, 3], true);
  const m2 = tf.mean(tf.mul(d4, x4), [1, 3], true);
  const dx = tf.reshape(tf.mul(tf.sub(tf.sub(d4, m1), tf.mul(x4, m2)), invStd), [n, h, w, c]) as tf.Tensor4D;
  return { dx, dgamma, dbeta };
}
