/** The study's network (REFERENCE.md) in tfjs core ops with an explicit backward pass, so the same
 * code runs on every backend and every random draw (init, dropout) comes from our own streams.
 * Layout NHWC; conv filters [kh, kw, in, out]; every conv has no bias, padding 0, stride 1. */
import * as tf from '@tensorflow/tfjs';
import { conv2dFilterGrad, conv2dInputGrad, maxPool2x2Grad } from './ops.js';
import { normBackward, normForwardEval, normForwardTrain, type NormCache, type NormKind } from './norm.js';

export type NormType = 'batch' | 'layer' | 'group';

export interface ModelConfig {
  norm: NormType;
  /** groups per normalized block, blocks 1,2,4,5,6,7 (only for norm 'group') */
  groups: number[];
  dropout: number;
}

/** Normalized conv blocks: Conv k x k -> ReLU -> Norm -> Dropout. */
export const BLOCKS = [
  { id: 1, cin: 1, cout: 8, k: 3 },
  { id: 2, cin: 8, cout: 16, k: 3 },
  { id: 4, cin: 8, cout: 16, k: 3 },
  { id: 5, cin: 16, cout: 16, k: 3 },
  { id: 6, cin: 16, cout: 16, k: 3 },
  { id: 7, cin: 16, cout: 16, k: 1 },
] as const;

/** Parameter names in a fixed order (also PyTorch's module order); shapes in tfjs layout. */
export const PARAM_SHAPES: [string, number[]][] = [
  ['c1', [3, 3, 1, 8]], ['n1.weight', [8]], ['n1.bias', [8]],
  ['c2', [3, 3, 8, 16]], ['n2.weight', [16]], ['n2.bias', [16]],
  ['c3', [1, 1, 16, 8]],
  ['c4', [3, 3, 8, 16]], ['n4.weight', [16]], ['n4.bias', [16]],
  ['c5', [3, 3, 16, 16]], ['n5.weight', [16]], ['n5.bias', [16]],
  ['c6', [3, 3, 16, 16]], ['n6.weight', [16]], ['n6.bias', [16]],
  ['c7', [1, 1, 16, 16]], ['n7.weight', [16]], ['n7.bias', [16]],
  ['c8', [1, 1, 16, 10]],
];
export const PARAM_NAMES = PARAM_SHAPES.map(([n]) => n);

export type Params = Record<string, tf.Tensor>;
/** BatchNorm running statistics: n{id}.running_mean / n{id}.running_var */
export type Buffers = Record<string, tf.Tensor>;

export const BN_MOMENTUM = 0.1;

export function normKind(cfg: ModelConfig): NormKind {
  return cfg.norm === 'batch' ? 'batch' : 'group';
}
function groupsOf(cfg: ModelConfig, blockIndex: number): number {
  if (cfg.norm === 'layer') return 1;
  if (cfg.norm === 'batch') return 1;
  return cfg.groups[blockIndex];
}

/** PyTorch default init: conv weights U(-1/sqrt(fan_in), 1/sqrt(fan_in)); norm scale 1, shift 0. */
export function initParams(rand: () => number): Params {
  const params: Params = {};
  for (const [name, shape] of PARAM_SHAPES) {
    const size = shape.reduce((a, b) => a * b, 1);
    if (name.startsWith('c')) {
      const fanIn = shape[0] * shape[1] * shape[2];
      const bound = 1 / Math.sqrt(fanIn);
      const data = new Float32Array(size);
      for (let i = 0; i < size; i++) data[i] = (rand() * 2 - 1) * bound;
      params[name] = tf.tensor(data, shape);
    } else {
      params[name] = name.endsWith('weight') ? tf.ones(shape) : tf.zeros(shape);
    }
  }
  return params;
}

export function initBuffers(cfg: ModelConfig): Buffers {
  const bufs: Buffers = {};
  if (cfg.norm !== 'batch') return bufs;
  for (const b of BLOCKS) {
    bufs[`n${b.id}.running_mean`] = tf.zeros([b.cout]);
    bufs[`n${b.id}.running_var`] = tf.ones([b.cout]);
  }
  return bufs;
}

/** Output shapes of the six blocks for a batch of n, used to size dropout masks. */
export function blockOutputShapes(n: number): [number, number, number, number][] {
  return [[n, 26, 26, 8], [n, 24, 24, 16], [n, 10, 10, 16], [n, 8, 8, 16], [n, 6, 6, 16], [n, 1, 1, 16]];
}

interface BlockCache {
  x: tf.Tensor4D;
  z: tf.Tensor4D;
  norm: NormCache;
  mask: tf.Tensor | null;
}

export interface TrainForward {
  logits: tf.Tensor2D;
  logp: tf.Tensor2D;
  blocks: BlockCache[];
  pool: { x: tf.Tensor4D; y: tf.Tensor4D };
  c3in: tf.Tensor4D;
  avgIn: tf.Tensor4D;
  h7in: tf.Tensor2D;
  h8in: tf.Tensor2D;
  newBuffers: Buffers;
}

function conv(x: tf.Tensor4D, w: tf.Tensor): tf.Tensor4D {
  return tf.conv2d(x, w as tf.Tensor4D, 1, 'valid');
}

/** Training-mode forward. masks[i] (already scaled by 1/(1-p)) or null for no dropout. */
export function forwardTrain(cfg: ModelConfig, p: Params, bufs: Buffers, x: tf.Tensor4D, masks: (tf.Tensor | null)[]): TrainForward {
  const kind = normKind(cfg);
  const blocks: BlockCache[] = [];
  const newBuffers: Buffers = {};
  const block = (i: number, input: tf.Tensor4D, z: tf.Tensor4D): tf.Tensor4D => {
    const id = BLOCKS[i].id;
    const a = tf.relu(z);
    const f = normForwardTrain(a, kind, groupsOf(cfg, i), p[`n${id}.weight`] as tf.Tensor1D, p[`n${id}.bias`] as tf.Tensor1D);
    if (f.batchMean && f.batchVarUnbiased) {
      const rm = bufs[`n${id}.running_mean`];
      const rv = bufs[`n${id}.running_var`];
      newBuffers[`n${id}.running_mean`] = tf.add(tf.mul(rm, 1 - BN_MOMENTUM), tf.mul(f.batchMean, BN_MOMENTUM));
      newBuffers[`n${id}.running_var`] = tf.add(tf.mul(rv, 1 - BN_MOMENTUM), tf.mul(f.batchVarUnbiased, BN_MOMENTUM));
    }
    const mask = masks[i];
    const out = mask ? (tf.mul(f.out, mask) as tf.Tensor4D) : f.out;
    blocks.push({ x: input, z, norm: f.cache, mask });
    return out;
  };
  const n = x.shape[0];
  const h1 = block(0, x, conv(x, p.c1));
  const h2 = block(1, h1, conv(h1, p.c2));
  const pooled = tf.maxPool(h2, 2, 2, 'valid');
  const c3in = pooled;
  const h3 = tf.reshape(tf.matMul(tf.reshape(pooled, [n * 144, 16]), tf.reshape(p.c3, [16, 8])), [n, 12, 12, 8]) as tf.Tensor4D;
  const h4 = block(2, h3, conv(h3, p.c4));
  const h5 = block(3, h4, conv(h4, p.c5));
  const h6 = block(4, h5, conv(h5, p.c6));
  const avg = tf.mean(h6, [1, 2]) as tf.Tensor2D; // [n,16]
  const z7 = tf.reshape(tf.matMul(avg, tf.reshape(p.c7, [16, 16])), [n, 1, 1, 16]) as tf.Tensor4D;
  const h7 = tf.reshape(block(5, tf.reshape(avg, [n, 1, 1, 16]) as tf.Tensor4D, z7), [n, 16]) as tf.Tensor2D;
  const logits = tf.matMul(h7, tf.reshape(p.c8, [16, 10])) as tf.Tensor2D;
  const logp = tf.logSoftmax(logits) as tf.Tensor2D;
  return { logits, logp, blocks, pool: { x: h2, y: pooled }, c3in, avgIn: h6, h7in: avg, h8in: h7, newBuffers };
}

export interface LossOut {
  loss: tf.Scalar; // mean NLL
  correct: tf.Scalar;
  dlogits: tf.Tensor2D;
}

export function nllLoss(logp: tf.Tensor2D, labels: tf.Tensor1D): LossOut {
  const n = logp.shape[0];
  const onehot = tf.oneHot(labels, 10).cast('float32');
  const loss = tf.div(tf.neg(tf.sum(tf.mul(logp, onehot))), n) as tf.Scalar;
  const correct = tf.sum(tf.equal(tf.argMax(logp, 1), labels).cast('int32')) as tf.Scalar;
  const dlogits = tf.div(tf.sub(tf.exp(logp), onehot), n) as tf.Tensor2D;
  return { loss, correct, dlogits };
}

/** Gradients of the mean NLL w.r.t. every parameter (same keys as Params). */
export function backward(cfg: ModelConfig, p: Params, f: TrainForward, dlogits: tf.Tensor2D, useMaxPoolKernel: boolean): Params {
  const g: Params = {};
  const n = dlogits.shape[0];
  const blockBack = (i: number, dout: tf.Tensor4D): tf.Tensor4D => {
    const id = BLOCKS[i].id;
    const c = f.blocks[i];
    const dn = c.mask ? (tf.mul(dout, c.mask) as tf.Tensor4D) : dout;
    const nb = normBackward(dn, c.norm, p[`n${id}.weight`] as tf.Tensor1D);
    g[`n${id}.weight`] = nb.dgamma;
    g[`n${id}.bias`] = nb.dbeta;
    return tf.mul(nb.dx, tf.step(c.z, 0)) as tf.Tensor4D; // relu'(z): 1 where z > 0
  };
  const convBack = (i: number, dz: tf.Tensor4D, wName: string, needInput: boolean): tf.Tensor4D | null => {
    const x = f.blocks[i].x;
    const w = p[wName] as tf.Tensor4D;
    g[wName] = conv2dFilterGrad(x, dz, w.shape as [number, number, number, number]);
    return needInput ? conv2dInputGrad(dz, w, x.shape as [number, number, number, number]) : null;
  };
  // head: logits = h7 @ c8
  g.c8 = tf.reshape(tf.matMul(f.h8in, dlogits, true, false), [1, 1, 16, 10]);
  const dh7 = tf.reshape(tf.matMul(dlogits, tf.reshape(p.c8, [16, 10]), false, true), [n, 1, 1, 16]) as tf.Tensor4D;
  const dz7 = tf.reshape(blockBack(5, dh7), [n, 16]) as tf.Tensor2D;
  g.c7 = tf.reshape(tf.matMul(f.h7in, dz7, true, false), [1, 1, 16, 16]);
  const davg = tf.matMul(dz7, tf.reshape(p.c7, [16, 16]), false, true); // [n,16]
  const dh6 = tf.mul(tf.onesLike(f.avgIn), tf.reshape(tf.div(davg, 36), [n, 1, 1, 16])) as tf.Tensor4D;
  const dh5 = convBack(4, blockBack(4, dh6), 'c6', true)!;
  const dh4 = convBack(3, blockBack(3, dh5), 'c5', true)!;
  const dh3 = convBack(2, blockBack(2, dh4), 'c4', true)!; // [n,12,12,8]
  const dh3m = tf.reshape(dh3, [n * 144, 8]);
  g.c3 = tf.reshape(tf.matMul(tf.reshape(f.c3in, [n * 144, 16]), dh3m, true, false), [1, 1, 16, 8]);
  const dpool = tf.reshape(tf.matMul(dh3m, tf.reshape(p.c3, [16, 8]), false, true), [n, 12, 12, 16]) as tf.Tensor4D;
  const dh2 = maxPool2x2Grad(f.pool.x, f.pool.y, dpool, useMaxPoolKernel);
  const dh1 = convBack(1, blockBack(1, dh2), 'c2', true)!;
  convBack(0, blockBack(0, dh1), 'c1', false);
  return g;
}

/** Eval-mode forward (no dropout; BatchNorm uses running statistics). Returns log-probabilities. */
export function forwardEval(cfg: ModelConfig, p: Params, bufs: Buffers, x: tf.Tensor4D): tf.Tensor2D {
  const kind = normKind(cfg);
  const n = x.shape[0];
  const block = (i: number, z: tf.Tensor4D): tf.Tensor4D => {
    const id = BLOCKS[i].id;
    const running = kind === 'batch'
      ? { mean: bufs[`n${id}.running_mean`] as tf.Tensor1D, variance: bufs[`n${id}.running_var`] as tf.Tensor1D }
      : undefined;
    return normForwardEval(tf.relu(z), kind, groupsOf(cfg, i), p[`n${id}.weight`] as tf.Tensor1D, p[`n${id}.bias`] as tf.Tensor1D, running);
  };
  const h1 = block(0, conv(x, p.c1));
  const h2 = block(1, conv(h1, p.c2));
  const pooled = tf.maxPool(h2, 2, 2, 'valid');
  const h3 = tf.reshape(tf.matMul(tf.reshape(pooled, [n * 144, 16]), tf.reshape(p.c3, [16, 8])), [n, 12, 12, 8]) as tf.Tensor4D;
  const h4 = block(2, conv(h3, p.c4));
  const h5 = block(3, conv(h4, p.c5));
  const h6 = block(4, conv(h5, p.c6));
  const avg = tf.mean(h6, [1, 2]) as tf.Tensor2D;
  const z7 = tf.reshape(tf.matMul(avg, tf.reshape(p.c7, [16, 16])), [n, 1, 1, 16]) as tf.Tensor4D;
  const h7 = tf.reshape(block(5, z7), [n, 16]) as tf.Tensor2D;
  return tf.logSoftmax(tf.matMul(h7, tf.reshape(p.c8, [16, 10]))) as tf.Tensor2D;
}
