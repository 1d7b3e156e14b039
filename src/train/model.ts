/** A network built from its layer list (src/spec/network.ts) in tfjs core ops with an explicit
 * backward pass, so the same code runs on every backend and every random draw (init, dropout)
 * comes from our own streams. Layout NHWC; conv filters [kh, kw, in, out]; stride 1. One forward
 * and one backward per layer kind; the study's network is the default list in defaults.json. */
import * as tf from '@tensorflow/tfjs';
import { conv2dFilterGrad, conv2dInputGrad, maxPoolGrad, avgPoolForward, avgPoolGrad } from './ops.js';
import { normBackward, normForwardEval, normForwardTrain, type NormCache, type NormKind } from './norm.js';
import { inferShapes, layerNames, type Layer, type NormType, type Shape } from '../spec/network.js';

/** The built network: layers, their names and the shape after each, for one input size. */
export interface Network {
  layers: Layer[];
  names: string[];
  input: Shape;
  shapes: Shape[];
  classes: number;
  /** parameter names and shapes (tfjs layout) in layer order (PyTorch's module order) */
  params: [string, number[]][];
  /** layer indices of the dropout layers with p > 0, in order: one mask each per step */
  dropouts: number[];
}

/** BatchNorm's running-statistics momentum (PyTorch's default). */
export const BN_MOMENTUM = 0.1;

export function buildNetwork(layers: Layer[], input: Shape, classes: number): Network {
  const { shapes, problems } = inferShapes(layers, input, classes);
  if (problems.length) throw new Error(`network: /model/layers/${problems[0].index}: ${problems[0].message}`);
  const names = layerNames(layers);
  const params: [string, number[]][] = [];
  layers.forEach((l, i) => {
    const cin = i === 0 ? input.c : shapes[i - 1].c;
    if (l.type === 'conv') {
      params.push([names[i], [l.kernel, l.kernel, cin, l.filters]]);
      if (l.bias) params.push([`${names[i]}.bias`, [l.filters]]);
    } else if (l.type === 'dense') {
      params.push([names[i], [1, 1, cin, l.units]]);
      if (l.bias) params.push([`${names[i]}.bias`, [l.units]]);
    } else if (l.type === 'norm') {
      params.push([`${names[i]}.weight`, [cin]], [`${names[i]}.bias`, [cin]]);
    }
  });
  const dropouts = layers.flatMap((l, i) => (l.type === 'dropout' && l.p > 0 ? [i] : []));
  return { layers, names, input, shapes, classes, params, dropouts };
}

export type Params = Record<string, tf.Tensor>;
/** BatchNorm running statistics: n{k}.running_mean / n{k}.running_var */
export type Buffers = Record<string, tf.Tensor>;

/** PyTorch default init: conv and dense weights and biases U(-1/sqrt(fan_in), 1/sqrt(fan_in)),
 * drawn in parameter order; norm scale 1, shift 0. */
export function initParams(net: Network, rand: () => number): Params {
  const params: Params = {};
  let bound = 0;
  for (const [name, shape] of net.params) {
    const size = shape.reduce((a, b) => a * b, 1);
    if (name.startsWith('c')) {
      if (!name.endsWith('.bias')) bound = 1 / Math.sqrt(shape[0] * shape[1] * shape[2]);
      const data = new Float32Array(size);
      for (let i = 0; i < size; i++) data[i] = (rand() * 2 - 1) * bound;
      params[name] = tf.tensor(data, shape);
    } else {
      params[name] = name.endsWith('weight') ? tf.ones(shape) : tf.zeros(shape);
    }
  }
  return params;
}

export function initBuffers(net: Network): Buffers {
  const bufs: Buffers = {};
  net.layers.forEach((l, i) => {
    if (l.type !== 'norm' || l.kind !== 'batch') return;
    const c = net.shapes[i].c;
    bufs[`${net.names[i]}.running_mean`] = tf.zeros([c]);
    bufs[`${net.names[i]}.running_var`] = tf.ones([c]);
  });
  return bufs;
}

/** Shapes of the dropout masks for a batch of n, one per entry of net.dropouts. */
export function dropoutMaskShapes(net: Network, n: number): [number, number, number, number][] {
  return net.dropouts.map((i) => [n, net.shapes[i].h, net.shapes[i].w, net.shapes[i].c]);
}

const normKind = (l: { kind: NormType }): NormKind => (l.kind === 'batch' ? 'batch' : 'group');
const normGroups = (l: { kind: NormType; groups: number }) => (l.kind === 'group' ? l.groups : 1);

/** What a layer's backward needs from its forward. */
type Cache = { x: tf.Tensor4D; y?: tf.Tensor4D; norm?: NormCache; mask?: tf.Tensor | null };

export interface TrainForward {
  logp: tf.Tensor2D;
  caches: Cache[];
  newBuffers: Buffers;
}

/** 1x1 convolutions (and dense layers) as one matrix product over all pixels. */
function pointwise(x: tf.Tensor4D, w: tf.Tensor): tf.Tensor4D {
  const [n, h, wd, cin] = x.shape;
  const cout = w.shape[3]!;
  return tf.reshape(tf.matMul(tf.reshape(x, [n * h * wd, cin]), tf.reshape(w, [cin, cout])), [n, h, wd, cout]) as tf.Tensor4D;
}

function convForward(l: Layer & { type: 'conv' | 'dense' }, x: tf.Tensor4D, p: Params, name: string): tf.Tensor4D {
  const kernel = l.type === 'conv' ? l.kernel : 1;
  const pad = l.type === 'conv' ? l.padding : 'valid';
  const y = kernel === 1 ? pointwise(x, p[name]) : tf.conv2d(x, p[name] as tf.Tensor4D, 1, pad);
  return l.bias ? (tf.add(y, p[`${name}.bias`]) as tf.Tensor4D) : y;
}

/** Training-mode forward. masks[j] (already scaled by 1/(1-p)) for the j-th entry of net.dropouts. */
export function forwardTrain(net: Network, p: Params, bufs: Buffers, x: tf.Tensor4D, masks: (tf.Tensor | null)[]): TrainForward {
  const caches: Cache[] = [];
  const newBuffers: Buffers = {};
  let h = x;
  let logp: tf.Tensor2D | null = null;
  net.layers.forEach((l, i) => {
    const name = net.names[i];
    const c: Cache = { x: h };
    switch (l.type) {
      case 'conv': case 'dense': h = convForward(l, h, p, name); break;
      case 'relu': h = tf.relu(h); break;
      case 'norm': {
        const f = normForwardTrain(h, normKind(l), normGroups(l), p[`${name}.weight`] as tf.Tensor1D, p[`${name}.bias`] as tf.Tensor1D);
        if (f.batchMean && f.batchVarUnbiased) {
          const rm = bufs[`${name}.running_mean`];
          const rv = bufs[`${name}.running_var`];
          newBuffers[`${name}.running_mean`] = tf.add(tf.mul(rm, 1 - BN_MOMENTUM), tf.mul(f.batchMean, BN_MOMENTUM));
          newBuffers[`${name}.running_var`] = tf.add(tf.mul(rv, 1 - BN_MOMENTUM), tf.mul(f.batchVarUnbiased, BN_MOMENTUM));
        }
        c.norm = f.cache;
        h = f.out;
        break;
      }
      case 'dropout': {
        const j = net.dropouts.indexOf(i);
        c.mask = j >= 0 ? masks[j] ?? null : null;
        if (c.mask) h = tf.mul(h, c.mask) as tf.Tensor4D;
        break;
      }
      case 'maxPool': h = tf.maxPool(h, l.size, l.size, 'valid'); c.y = h; break;
      case 'avgPool': h = avgPoolForward(h, l.size); break;
      case 'globalAvgPool': h = tf.mean(h, [1, 2], true) as tf.Tensor4D; break;
      case 'flatten': h = tf.reshape(h, [h.shape[0], 1, 1, -1]) as tf.Tensor4D; break;
      case 'logSoftmax': logp = tf.logSoftmax(tf.reshape(h, [h.shape[0], h.shape[3]])) as tf.Tensor2D; break;
    }
    caches.push(c);
  });
  return { logp: logp!, caches, newBuffers };
}

export interface LossOut {
  loss: tf.Scalar; // mean NLL
  correct: tf.Scalar;
  dlogits: tf.Tensor2D;
}

export function nllLoss(logp: tf.Tensor2D, labels: tf.Tensor1D): LossOut {
  const [n, classes] = logp.shape;
  const onehot = tf.oneHot(labels, classes).cast('float32');
  const loss = tf.div(tf.neg(tf.sum(tf.mul(logp, onehot))), n) as tf.Scalar;
  const correct = tf.sum(tf.equal(tf.argMax(logp, 1), labels).cast('int32')) as tf.Scalar;
  const dlogits = tf.div(tf.sub(tf.exp(logp), onehot), n) as tf.Tensor2D;
  return { loss, correct, dlogits };
}

/** Gradients of the mean NLL w.r.t. every parameter (same keys as Params). dlogits is the
 * gradient w.r.t. the logSoftmax layer's input (the loss's softmax - onehot form). */
export function backward(net: Network, p: Params, f: TrainForward, dlogits: tf.Tensor2D, useMaxPoolKernel: boolean): Params {
  const g: Params = {};
  const n = dlogits.shape[0];
  // the first layer with parameters needs no input gradient
  const firstParam = net.layers.findIndex((l) => l.type === 'conv' || l.type === 'dense' || l.type === 'norm');
  let d = tf.reshape(dlogits, [n, 1, 1, dlogits.shape[1]]) as tf.Tensor4D;
  for (let i = net.layers.length - 1; i >= firstParam; i--) {
    const l = net.layers[i];
    const name = net.names[i];
    const c = f.caches[i];
    const needInput = i > firstParam;
    switch (l.type) {
      case 'logSoftmax': break; // dlogits is already the gradient of its input
      case 'conv': case 'dense': {
        const kernel = l.type === 'conv' ? l.kernel : 1;
        const pad = l.type === 'conv' ? l.padding : 'valid';
        const w = p[name] as tf.Tensor4D;
        if (l.bias) g[`${name}.bias`] = tf.sum(d, [0, 1, 2]);
        if (kernel === 1) {
          const [m, cin, cout] = [c.x.shape[0] * c.x.shape[1] * c.x.shape[2], w.shape[2], w.shape[3]];
          const d2 = tf.reshape(d, [m, cout]);
          g[name] = tf.reshape(tf.matMul(tf.reshape(c.x, [m, cin]), d2, true, false), w.shape);
          if (needInput) d = tf.reshape(tf.matMul(d2, tf.reshape(w, [cin, cout]), false, true), c.x.shape) as tf.Tensor4D;
        } else {
          g[name] = conv2dFilterGrad(c.x, d, w.shape as [number, number, number, number], pad);
          if (needInput) d = conv2dInputGrad(d, w, c.x.shape as [number, number, number, number], pad);
        }
        break;
      }
      case 'relu': d = tf.mul(d, tf.step(c.x, 0)) as tf.Tensor4D; break; // relu'(x): 1 where x > 0
      case 'norm': {
        const nb = normBackward(d, c.norm!, p[`${name}.weight`] as tf.Tensor1D);
        g[`${name}.weight`] = nb.dgamma;
        g[`${name}.bias`] = nb.dbeta;
        d = nb.dx;
        break;
      }
      case 'dropout': if (c.mask) d = tf.mul(d, c.mask) as tf.Tensor4D; break;
      case 'maxPool': d = maxPoolGrad(c.x, c.y!, d, l.size, useMaxPoolKernel); break;
      case 'avgPool': d = avgPoolGrad(c.x, d, l.size); break;
      case 'globalAvgPool': {
        const [, h, w] = c.x.shape;
        d = tf.mul(tf.onesLike(c.x), tf.div(d, h * w)) as tf.Tensor4D;
        break;
      }
      case 'flatten': d = tf.reshape(d, c.x.shape) as tf.Tensor4D; break;
    }
  }
  return g;
}

/** Eval-mode forward (no dropout; BatchNorm uses running statistics). Returns log-probabilities. */
export function forwardEval(net: Network, p: Params, bufs: Buffers, x: tf.Tensor4D): tf.Tensor2D {
  let h = x;
  let logp: tf.Tensor2D | null = null;
  net.layers.forEach((l, i) => {
    const name = net.names[i];
    switch (l.type) {
      case 'conv': case 'dense': h = convForward(l, h, p, name); break;
      case 'relu': h = tf.relu(h); break;
      case 'norm': {
        const kind = normKind(l);
        const running = kind === 'batch'
          ? { mean: bufs[`${name}.running_mean`] as tf.Tensor1D, variance: bufs[`${name}.running_var`] as tf.Tensor1D }
          : undefined;
        h = normForwardEval(h, kind, normGroups(l), p[`${name}.weight`] as tf.Tensor1D, p[`${name}.bias`] as tf.Tensor1D, running);
        break;
      }
      case 'dropout': break;
      case 'maxPool': h = tf.maxPool(h, l.size, l.size, 'valid'); break;
      case 'avgPool': h = avgPoolForward(h, l.size); break;
      case 'globalAvgPool': h = tf.mean(h, [1, 2], true) as tf.Tensor4D; break;
      case 'flatten': h = tf.reshape(h, [h.shape[0], 1, 1, -1]) as tf.Tensor4D; break;
      case 'logSoftmax': logp = tf.logSoftmax(tf.reshape(h, [h.shape[0], h.shape[3]])) as tf.Tensor2D; break;
    }
  });
  return logp!;
}
