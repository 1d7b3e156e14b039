/** SGD with PyTorch semantics: d = grad + l1*sgn(w) + wd*w; buf = d (first step) or m*buf + d;
 * w -= lr*buf. Weight decay and the L1 term apply to every parameter, norm scales and shifts too. */
import * as tf from '@tensorflow/tfjs';
import type { Params } from './model.js';

export interface SgdHyper {
  lr: number;
  momentum: number;
  weightDecay: number;
  l1: number;
}

export interface SgdState {
  buf: Params | null;
}

/** The fused kernel (wasm: src/engine/assembly/sgd.ts) does the chain below in one pass with the
 * same f32 operations; the chain is what runs on every other backend. */
const SGD_KERNEL = 'NormregSgd';

/** Returns new params and state; the caller disposes the old ones. Pure in tensors. */
export function sgdStep(p: Params, g: Params, state: SgdState, h: SgdHyper): { params: Params; state: SgdState } {
  const params: Params = {};
  const buf: Params = {};
  const fused = tf.getKernel(SGD_KERNEL, tf.getBackend()) !== undefined;
  for (const k of Object.keys(p)) {
    let d = g[k];
    if (!d) throw new Error(`no gradient for parameter ${k}`);
    if (fused) {
      const inputs: tf.NamedTensorMap = state.buf ? { p: p[k], g: d, buf: state.buf[k] } : { p: p[k], g: d };
      const [np, nb] = tf.engine().runKernel(SGD_KERNEL, inputs,
        { lr: h.lr, momentum: h.momentum, weightDecay: h.weightDecay, l1: h.l1 } as unknown as tf.NamedAttrMap) as tf.Tensor[];
      params[k] = np;
      buf[k] = nb;
      continue;
    }
    if (h.l1 !== 0) d = tf.add(d, tf.mul(torchSign(p[k]), h.l1));
    if (h.weightDecay !== 0) d = tf.add(d, tf.mul(p[k], h.weightDecay));
    const b = state.buf ? tf.add(tf.mul(state.buf[k], h.momentum), d) : d;
    buf[k] = b;
    params[k] = tf.sub(p[k], tf.mul(b, h.lr));
  }
  return { params, state: { buf } };
}

/** PyTorch's sgn(w), the gradient of |w|: +-1 for every non-zero w, 0 for +-0 and NaN. tf.sign
 * is not that everywhere (tfjs-backend-wasm's is 0 for |w| < 2^-23), so it is built from
 * comparisons, which are exact on every backend. */
function torchSign(w: tf.Tensor): tf.Tensor {
  return tf.sub(tf.cast(tf.greater(w, 0), 'float32'), tf.cast(tf.less(w, 0), 'float32'));
}
