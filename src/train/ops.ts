/** Gradient building blocks in tfjs core ops. Where a backend has a kernel (its own, or one the
 * engine registered) it is used; otherwise a formulation in forward ops that runs everywhere. */
import * as tf from '@tensorflow/tfjs';

function hasKernel(name: string): boolean {
  return tf.getKernel(name, tf.getBackend()) !== undefined;
}

export type Padding = 'valid' | 'same';

/** dL/dW of a stride-1 NHWC conv2d ('same' = odd kernel, (k-1)/2 zeros each side); returns [kh, kw, cin, cout]. */
export function conv2dFilterGrad(x: tf.Tensor4D, dy: tf.Tensor4D, filterShape: [number, number, number, number], pad: Padding = 'valid'): tf.Tensor4D {
  if (hasKernel('Conv2DBackpropFilter'))
    return tf.engine().runKernel(
      'Conv2DBackpropFilter',
      { x, dy },
      { strides: [1, 1], pad, dataFormat: 'NHWC', filterShape },
    ) as tf.Tensor4D;
  if (pad === 'same') {
    const ph = (filterShape[0] - 1) / 2;
    const pw = (filterShape[1] - 1) / 2;
    x = tf.pad(x, [[0, 0], [ph, ph], [pw, pw], [0, 0]]);
  }
  // Batch becomes the contraction channel: conv of x^T [cin,H,W,N] with dy^T [Ho,Wo,N,cout].
  const xt = tf.transpose(x, [3, 1, 2, 0]);
  const dyt = tf.transpose(dy, [1, 2, 0, 3]);
  const g = tf.conv2d(xt, dyt as tf.Tensor4D, 1, 'valid'); // [cin, kh, kw, cout]
  return tf.transpose(g, [1, 2, 0, 3]);
}

/** dL/dx of a stride-1 NHWC conv2d. */
export function conv2dInputGrad(dy: tf.Tensor4D, w: tf.Tensor4D, inputShape: [number, number, number, number], pad: Padding = 'valid'): tf.Tensor4D {
  return tf.engine().runKernel(
    'Conv2DBackpropInput',
    { dy, filter: w },
    { inputShape, strides: [1, 1], pad, dataFormat: 'NHWC' },
  ) as tf.Tensor4D;
}

/** s x s stride-s max pooling gradient; the gradient goes to the FIRST maximum of each window in
 * row-major order (PyTorch's rule). Uses a registered kernel only on wasm, where the engine
 * installs a checked one (the stock wasm MaxPoolGrad is wrong). */
export function maxPoolGrad(x: tf.Tensor4D, y: tf.Tensor4D, dy: tf.Tensor4D, s: number, useKernel: boolean): tf.Tensor4D {
  if (useKernel)
    return tf.engine().runKernel(
      'MaxPoolGrad',
      { dy, input: x, output: y },
      { filterSize: [s, s], strides: [s, s], pad: 'valid' },
    ) as tf.Tensor4D;
  const [n, h, w, c] = x.shape;
  const h2 = Math.floor(h / s);
  const w2 = Math.floor(w / s);
  const part = (i: number, j: number) =>
    tf.stridedSlice(x, [0, i, j, 0], [n, i + s * h2, j + s * w2, c], [1, s, s, 1]) as tf.Tensor4D;
  let taken = tf.zerosLike(y).cast('bool');
  const grads: tf.Tensor4D[] = [];
  for (let i = 0; i < s; i++)
    for (let j = 0; j < s; j++) {
      const isMax = tf.logicalAnd(tf.equal(part(i, j), y), tf.logicalNot(taken));
      grads.push(tf.where(isMax, dy, tf.zerosLike(dy)));
      taken = tf.logicalOr(taken, isMax);
    }
  const rows = Array.from({ length: s }, (_, i) => tf.reshape(tf.stack(grads.slice(i * s, i * s + s), 3), [n, h2, s * w2, c]));
  let dx = tf.reshape(tf.stack(rows, 2), [n, s * h2, s * w2, c]) as tf.Tensor4D;
  if (s * h2 !== h || s * w2 !== w) dx = tf.pad(dx, [[0, 0], [0, h - s * h2], [0, w - s * w2], [0, 0]]);
  return dx;
}

/** s x s stride-s average pooling (unpadded; rows and columns past the last window are dropped),
 * in core ops so that every backend sums in the same order. */
export function avgPoolForward(x: tf.Tensor4D, s: number): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const [oh, ow] = [Math.floor(h / s), Math.floor(w / s)];
  const cut = oh * s === h && ow * s === w ? x : tf.slice(x, [0, 0, 0, 0], [n, oh * s, ow * s, c]);
  const rows = tf.mean(tf.reshape(cut, [n * oh, s, ow * s, c]), 1); // [n*oh, ow*s, c]
  return tf.reshape(tf.mean(tf.reshape(rows, [n * oh * ow, s, c]), 1), [n, oh, ow, c]) as tf.Tensor4D;
}

export function avgPoolGrad(x: tf.Tensor4D, dy: tf.Tensor4D, s: number): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const [, oh, ow] = dy.shape;
  const across = tf.tile(tf.reshape(tf.div(dy, s * s), [n * oh, ow, 1, c]), [1, 1, s, 1]); // [n*oh, ow, s, c]
  const down = tf.tile(tf.reshape(across, [n * oh, 1, ow * s, c]), [1, s, 1, 1]);
  let dx = tf.reshape(down, [n, oh * s, ow * s, c]) as tf.Tensor4D;
  if (oh * s !== h || ow * s !== w) dx = tf.pad(dx, [[0, 0], [0, h - oh * s], [0, w - ow * s], [0, 0]]);
  return dx;
}
