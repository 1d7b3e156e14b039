/** The compiled training step of the wasm engine. The network's layer list (already data) is walked
 * as a fixed schedule of kernel calls: each step runs the kernels directly on the backend's heap, without tfjs's engine (no tensor objects, no tidy scopes, no
 * per-op bookkeeping):
 * - convolutions, norms, max pooling, the forward matrix products, the mean and the bias adds and
 *   sums are the very kernels the tfjs path calls (the registered ones and the stock ones), with the
 *   same inputs and attributes;
 * - a 1x1 convolution's two transposed products run in src/engine/assembly/matmul.ts, in the stock
 *   BatchMatMul's summation order;
 * - relu, dropout (applied from the dropped positions, never a full mask), relu's gradient and the
 *   global-average-pool gradient are single f32 operations per element, done in place by
 *   src/engine/assembly/elementwise.ts;
 * - BatchNorm's running statistics and the SGD update are written in place into the parameter
 *   tensors, with the same f32 arithmetic as the tfjs path;
 * - only the loss head (log-softmax, NLL, its gradient: a [batch, classes] tensor) runs through
 *   tfjs ops, the same ones as model.ts.
 * So a step gives the same bytes as forwardTrain + backward + sgdStep (tested), at a fraction of
 * the dispatch cost. Networks with a layer the schedule lacks (avgPool) use the tfjs path. */
import * as tf from '@tensorflow/tfjs';
import { NORM_BACKWARD_KERNEL, NORM_FORWARD_KERNEL } from '../engine/wasmNormKernels.js';
import { SGD_KERNEL, stepKernels, type StepKernels } from '../engine/wasmKernels.js';
import { BN_MOMENTUM, nllLoss, type Buffers, type Network, type Params } from './model.js';
import type { SgdHyper, SgdState } from './optimizer.js';
import type { Layer } from '../spec/network.js';
import type { Drop } from './drawAhead.js';

type Info = tf.TensorInfo;
type Shape4 = [number, number, number, number];

/** The parts of tfjs-backend-wasm's backend the schedule uses. */
interface Heap {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: 'float32'): Info;
  disposeData(dataId: object, force?: boolean): boolean;
}

const KERNELS = ['Conv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter', 'MaxPool', 'MaxPoolGrad', 'BatchMatMul', 'Mean', 'Add', 'Sum',
  NORM_FORWARD_KERNEL, NORM_BACKWARD_KERNEL, SGD_KERNEL] as const;

/** Told how long each of the step's own kernels and phases took (scripts/profile-step.mjs). */
export type StepProbe = (label: string, ms: number) => void;

/** The step kernels, each call timed into `probe`. */
function probed(k: StepKernels, probe: StepProbe): StepKernels {
  const out: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(k) as [string, (...a: number[]) => void][]) {
    out[name] = (...a: number[]) => {
      const t0 = performance.now();
      fn(...a);
      probe(name, performance.now() - t0);
    };
  }
  return out as unknown as StepKernels;
}

/** Why a network cannot take the compiled step, or null when it can (pure: layers only). */
export function unsupportedLayer(layers: Layer[]): string | null {
  for (const [i, l] of layers.entries()) {
    if (l.type === 'avgPool') return `layer ${i}: avgPool`;
    if (l.type === 'logSoftmax' && i !== layers.length - 1) return `layer ${i}: logSoftmax before the last layer`;
  }
  return layers[layers.length - 1]?.type === 'logSoftmax' ? null : 'the last layer is not logSoftmax';
}

/** What a layer's backward needs from its forward. */
interface Saved { x: Info; y?: Info; xhat?: Info; invStd?: Info; mask?: number }

export interface StepOutput { loss: number; correct: number }

export interface CompiledStep {
  /** One SGD step on the batch (x: n images NHWC, y: labels, drops: each dropout layer's dropped
   * positions and kept scale, in net.dropouts order). Updates params, bufs and sgd in place, as
   * loop.ts's tfjs path replaces them. */
  step(x: Float32Array, y: Int32Array, n: number, drops: Drop[], hyper: SgdHyper, sgd: SgdState): Promise<StepOutput>;
}

/** The compiled step for this network on the active backend, or null where it does not apply (a
 * backend other than wasm with our kernels, or a layer the schedule lacks). */
export function compileStep(net: Network, params: Params, bufs: Buffers, useMaxPoolKernel: boolean, probe?: StepProbe): CompiledStep | null {
  if (tf.getBackend() !== 'wasm' || !useMaxPoolKernel || unsupportedLayer(net.layers) !== null) return null;
  const k = stepKernels();
  if (k === undefined || KERNELS.some((name) => tf.getKernel(name, 'wasm') === undefined)) return null;
  const backend = tf.backend() as unknown as Heap;
  const funcs = Object.fromEntries(KERNELS.map((name) => [name, tf.getKernel(name, 'wasm')!.kernelFunc])) as Record<(typeof KERNELS)[number], tf.KernelFunc>;
  return new Schedule(net, params, bufs, probe ? probed(k, probe) : k, backend, funcs, probe);
}

class Schedule implements CompiledStep {
  private temps: Info[] = [];

  constructor(private readonly net: Network, private readonly params: Params, private readonly bufs: Buffers,
    private readonly k: StepKernels, private readonly backend: Heap,
    private readonly funcs: Record<(typeof KERNELS)[number], tf.KernelFunc>, private readonly probe?: StepProbe) {}

  private ptr(t: Info | tf.Tensor): number {
    const d = this.backend.dataIdMap.get(t.dataId);
    if (d === undefined) throw new Error('compiled step: a tensor is not on the wasm backend');
    return d.memoryOffset;
  }

  private f32(t: Info | tf.Tensor, size: number): Float32Array {
    return new Float32Array(this.backend.wasm.HEAPU8.buffer, this.ptr(t), size);
  }

  /** A kernel output this step owns (freed at the end of the step). */
  private own<T extends Info | Info[]>(out: T): T {
    for (const t of Array.isArray(out) ? out : [out]) this.temps.push(t);
    return out;
  }

  private alloc(shape: number[]): Info {
    return this.own(this.backend.makeOutput(shape, 'float32'));
  }

  private run(name: (typeof KERNELS)[number], inputs: Record<string, Info>, attrs: object): Info | Info[] {
    return this.funcs[name]({ inputs, backend: this.backend as unknown as tf.KernelBackend, attrs: attrs as tf.NamedAttrMap });
  }

  /** A copy of a parameter under a new tensor id. The stock BatchMatMul caches its packed right-hand
   * side by tensor id (XNNPACK), so a weight updated in place must reach it under a fresh id, as
   * each step's new parameter tensors do on the tfjs path. */
  private fresh(w: tf.Tensor): Info {
    const t = this.alloc(w.shape);
    this.f32(t, w.size).set(this.f32(w, w.size));
    return t;
  }

  /** tf.matMul(a [m,k], b [k,n]): the stock BatchMatMul the tfjs path reaches for a 1x1 forward. */
  private matMul(a: Info, aShape: number[], b: Info, bShape: number[]): Info {
    return this.own(this.run('BatchMatMul', { a: { ...a, shape: aShape }, b: { ...b, shape: bShape } }, { transposeA: false, transposeB: false }) as Info);
  }

  async step(xs: Float32Array, ys: Int32Array, n: number, drops: Drop[], hyper: SgdHyper, sgd: SgdState): Promise<StepOutput> {
    const { net, params: p, k } = this;
    try {
      const { h: rows, w: cols, c: ch } = net.input;
      const x = this.alloc([n, rows, cols, ch]);
      this.f32(x, n * rows * cols * ch).set(xs.subarray(0, n * rows * cols * ch));
      const dropInfos = drops.map((dr) => {
        const t = this.alloc([Math.max(1, dr.positions.length)]);
        new Int32Array(this.backend.wasm.HEAPU8.buffer, this.ptr(t), dr.positions.length).set(dr.positions);
        return t;
      });
      const dropout = (j: number, a: Info, size: number) =>
        k.dropout(this.ptr(a), this.ptr(dropInfos[j]), drops[j].positions.length, size, drops[j].keep);
      // forward
      const saved: Saved[] = [];
      let h: Info = x;
      let logits: Info | null = null;
      net.layers.forEach((l, i) => {
        const name = net.names[i];
        const s: Saved = { x: h };
        const [b, hh, ww, c] = h.shape as Shape4;
        const size = b * hh * ww * c;
        switch (l.type) {
          case 'conv': case 'dense': {
            const w = p[name];
            const [, , cin, cout] = w.shape as Shape4;
            const kernel = l.type === 'conv' ? l.kernel : 1;
            if (kernel === 1) {
              const y = this.matMul(h, [b * hh * ww, cin], this.fresh(w), [cin, cout]);
              h = { ...y, shape: [b, hh, ww, cout] };
            } else {
              h = this.own(this.run('Conv2D', { x: h, filter: w }, { strides: 1, pad: l.type === 'conv' ? l.padding : 'valid', dataFormat: 'NHWC', dilations: [1, 1] }) as Info);
            }
            if (l.bias) h = this.own(this.run('Add', { a: h, b: p[`${name}.bias`] }, {}) as Info);
            break;
          }
          case 'relu': {
            const y = this.alloc(h.shape);
            k.reluForward(this.ptr(h), this.ptr(y), size);
            h = y;
            break;
          }
          case 'norm': {
            const kind = l.kind === 'batch' ? 'batch' : 'group';
            const gamma = p[`${name}.weight`];
            const out = this.own(this.run(NORM_FORWARD_KERNEL, { x: h, gamma, beta: p[`${name}.bias`] },
              { groups: kind === 'batch' ? 1 : l.groups, kind }) as Info[]);
            const [y, xhat, mean, invStd, varU] = out;
            if (kind === 'batch') this.updateRunning(name, mean, varU, c);
            s.xhat = xhat;
            s.invStd = invStd;
            h = y;
            break;
          }
          case 'dropout': {
            const j = net.dropouts.indexOf(i);
            if (j >= 0 && drops[j]) {
              s.mask = j;
              dropout(j, h, size);
            }
            break;
          }
          case 'maxPool':
            h = this.own(this.run('MaxPool', { x: h }, { filterSize: l.size, strides: l.size, pad: 'valid' }) as Info);
            s.y = h;
            break;
          case 'globalAvgPool':
            h = this.own(this.run('Mean', { x: h }, { axis: [1, 2], keepDims: true }) as Info);
            break;
          case 'flatten':
            h = { ...h, shape: [b, 1, 1, hh * ww * c] };
            break;
          case 'logSoftmax':
            logits = h;
            break;
          case 'avgPool':
            throw new Error('compiled step: avgPool is not scheduled'); // unsupportedLayer() keeps it out
        }
        saved.push(s);
      });
      // the loss head, in tfjs ops (model.ts's nllLoss on tf.logSoftmax)
      const classes = net.classes;
      const tHead = performance.now();
      const logitValues = Float32Array.from(this.f32(logits!, n * classes));
      const head = tf.tidy(() => {
        const logp = tf.logSoftmax(tf.tensor2d(logitValues, [n, classes])) as tf.Tensor2D;
        const l = nllLoss(logp, tf.tensor1d(ys.subarray(0, n), 'int32'));
        return [l.loss, l.correct, l.dlogits];
      });
      const [loss, correct, dlogits] = head;
      let d = this.alloc([n, 1, 1, classes]);
      this.f32(d, n * classes).set(dlogits.dataSync() as Float32Array);
      const lossValue = (await loss.data())[0];
      const correctValue = (await correct.data())[0];
      tf.dispose(head);
      this.probe?.('loss head (tfjs ops)', performance.now() - tHead);
      // backward
      const grads: Record<string, Info> = {};
      const firstParam = net.layers.findIndex((l) => l.type === 'conv' || l.type === 'dense' || l.type === 'norm');
      for (let i = net.layers.length - 1; i >= firstParam; i--) {
        const l = net.layers[i];
        const name = net.names[i];
        const s = saved[i];
        const needInput = i > firstParam;
        const [b, hh, ww, c] = s.x.shape as Shape4;
        switch (l.type) {
          case 'logSoftmax': break;
          case 'conv': case 'dense': {
            const w = p[name];
            const wShape = w.shape as Shape4;
            const [, , cin, cout] = wShape;
            const kernel = l.type === 'conv' ? l.kernel : 1;
            const pad = l.type === 'conv' ? l.padding : 'valid';
            if (l.bias) grads[`${name}.bias`] = this.own(this.run('Sum', { x: d }, { axis: [0, 1, 2], keepDims: false }) as Info);
            if (kernel === 1) {
              const m = b * hh * ww;
              // the stock BatchMatMul's order for transposed operands, without its strided loop
              const g = this.alloc(wShape);
              k.matMulTransA(this.ptr(s.x), this.ptr(d), this.ptr(g), m, cin, cout);
              grads[name] = g;
              if (needInput) {
                const dx = this.alloc(s.x.shape);
                const wt = this.alloc([2 * cin * cout]);
                k.matMulTransB(this.ptr(d), this.ptr(w), this.ptr(wt), this.ptr(dx), cout, cin, m);
                d = dx;
              }
            } else {
              grads[name] = this.own(this.run('Conv2DBackpropFilter', { x: s.x, dy: d }, { strides: [1, 1], pad, dataFormat: 'NHWC', filterShape: wShape }) as Info);
              if (needInput) d = this.own(this.run('Conv2DBackpropInput', { dy: d, filter: w }, { inputShape: s.x.shape, strides: [1, 1], pad, dataFormat: 'NHWC' }) as Info);
            }
            break;
          }
          case 'relu': k.reluGrad(this.ptr(d), this.ptr(s.x), b * hh * ww * c); break;
          case 'norm': {
            const kind = l.kind === 'batch' ? 'batch' : 'group';
            const [dx, dgamma, dbeta] = this.own(this.run(NORM_BACKWARD_KERNEL,
              { dout: d, xhat: s.xhat!, gamma: p[`${name}.weight`], invStd: s.invStd! },
              { groups: kind === 'batch' ? 1 : l.groups, kind }) as Info[]);
            grads[`${name}.weight`] = dgamma;
            grads[`${name}.bias`] = dbeta;
            d = dx;
            break;
          }
          case 'dropout': if (s.mask !== undefined) dropout(s.mask, d, b * hh * ww * c); break;
          case 'maxPool':
            d = this.own(this.run('MaxPoolGrad', { dy: d, input: s.x, output: s.y! }, { filterSize: [l.size, l.size], strides: [l.size, l.size], pad: 'valid' }) as Info);
            break;
          case 'globalAvgPool': {
            const dx = this.alloc(s.x.shape);
            k.globalAvgPoolGrad(this.ptr(d), this.ptr(dx), b, hh * ww, c);
            d = dx;
            break;
          }
          case 'flatten': d = { ...d, shape: s.x.shape }; break;
          case 'avgPool': break;
        }
      }
      this.sgdUpdate(grads, hyper, sgd);
      return { loss: lossValue, correct: correctValue };
    } finally {
      for (const t of this.temps) this.backend.disposeData(t.dataId, true);
      this.temps = [];
    }
  }

  /** running = running * (1 - momentum) + batch * momentum, each op rounded to f32 (tf.mul, tf.add). */
  private updateRunning(name: string, mean: Info, varU: Info, c: number): void {
    const keep = Math.fround(1 - BN_MOMENTUM);
    const take = Math.fround(BN_MOMENTUM);
    const pairs: [tf.Tensor, Float32Array][] = [[this.bufs[`${name}.running_mean`], this.f32(mean, c)], [this.bufs[`${name}.running_var`], this.f32(varU, c)]];
    for (const [running, batch] of pairs) {
      const r = this.f32(running, c);
      for (let j = 0; j < c; j++) r[j] = Math.fround(Math.fround(r[j] * keep) + Math.fround(batch[j] * take));
    }
  }

  /** The fused SGD kernel, in place: params and momentum buffers keep their tensors. */
  private sgdUpdate(grads: Record<string, Info>, hyper: SgdHyper, sgd: SgdState): void {
    const first = sgd.buf === null;
    if (first) sgd.buf = Object.fromEntries(Object.keys(this.params).map((key) => [key, tf.zerosLike(this.params[key])]));
    for (const key of Object.keys(this.params)) {
      const g = grads[key];
      if (!g) throw new Error(`compiled step: no gradient for parameter ${key}`);
      const w = this.params[key];
      const buf = sgd.buf![key];
      const pw = this.ptr(w);
      const pb = this.ptr(buf);
      this.k.sgdUpdate(pw, this.ptr(g), pb, pw, pb, w.size, hyper.lr, hyper.momentum, hyper.weightDecay, hyper.l1,
        first ? 1 : 0, hyper.l1 !== 0 ? 1 : 0, hyper.weightDecay !== 0 ? 1 : 0);
    }
  }
}

/** After compiled steps, before anything else reads the parameters through tfjs (evaluation):
 * each tensor the steps updated in place is replaced by a byte copy under a new tensor id, so no
 * kernel cache keyed by id (the stock BatchMatMul's packed weights) can serve values from before. */
export function renewTensors(target: Record<string, tf.Tensor>): void {
  for (const key of Object.keys(target)) {
    const old = target[key];
    target[key] = tf.tensor(old.dataSync() as Float32Array, old.shape, 'float32');
    old.dispose();
  }
}
