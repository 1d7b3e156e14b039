/** Gradient building blocks in tfjs core ops. Where a backend has a kernel (its own, or one the
 * engine registered) it is used; otherwise a formulation in forward ops that runs everywhere. */
import * as tf from '@tensorflow/tfjs';

function hasKernel(name: string): boolean {
  return tf.getKernel(name, tf.getBackend()) !== undefined;
}

/** dL/dW of a stride-1 'valid' NHWC conv2d; returns [kh, kw, cin, cout]. */
export function conv2dFilterGrad(x: tf.Tensor4D, dy: tf.Tensor4D, filterShape: [number, number, number, number]): tf.Tensor4D {
  if (hasKernel('Conv2DBackpropFilter'))
    return tf.engine().runKernel(
      'Conv2DBackpropFilter',
      { x, dy },
      { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', filterShape },
    ) as tf.Tensor4D;
  // Batch becomes the contraction channel: conv of x^T [cin,H,W,N] with dy^T [Ho,Wo,N,cout].
  const xt = tf.transpose(x, [3, 1, 2, 0]);
  const dyt = tf.transpose(dy, [1, 2, 0, 3]);
  const g = tf.conv2d(xt, dyt as tf.Tensor4D, 1, 'valid'); // [cin, kh, kw, cout]
  return tf.transpose(g, [1, 2, 0, 3]);
}

/** dL/dx of a stride-1 'valid' NHWC conv2d. */
export function conv2dInputGrad(dy: tf.Tensor4D, w: tf.Tensor4D, inputShape: [number, number, number, number]): tf.Tensor4D {
  return tf.engine().runKernel(
    'Conv2DBackpropInput',
    { dy, filter: w },
    { inputShape, strides: [1, 1], pad: 'valid', dataFormat: 'NHWC' },
  ) as tf.Tensor4D;
}

/** 2x2 stride-2 max pooling gradient; the gradient goes to the FIRST maximum of each window in
 * row-major order (PyTorch's rule). Uses a registered kernel only on wasm, where the engine
 * installs a checked one (the stock wasm MaxPoolGrad is wrong). */
export function maxPool2x2Grad(x: tf.Tensor4D, y: tf.Tensor4D, dy: tf.Tensor4D, useKernel: boolean): tf.Tensor4D {
  if (useKernel)
    return tf.engine().runKernel(
      'MaxPoolGrad',
      { dy, input: x, output: y },
      { filterSize: [2, 2], strides: [2, 2], pad: 'valid' },
    ) as tf.Tensor4D;
  const [n, h, w, c] = x.shape;
  const h2 = Math.floor(h / 2);
  const w2 = Math.floor(w / 2);
  const part = (i: number, j: number) =>
    tf.stridedSlice(x, [0, i, j, 0], [n, i + 2 * h2, j + 2 * w2, c], [1, 2, 2, 1]) as tf.Tensor4D;
  const xs = [part(0, 0), part(0, 1), part(1, 0), part(1, 1)];
  let taken = tf.zerosLike(y).cast('bool');
  const grads: tf.Tensor4D[] = [];
  for (const xi of xs) {
    const isMax = tf.logicalAnd(tf.equal(xi, y), tf.logicalNot(taken));
    grads.push(tf.where(isMax, dy, tf.zerosLike(dy)));
    taken = tf.logicalOr(taken, isMax);
  }
  const row0 = tf.reshape(tf.stack([grads[0], grads[1]], 3), [n, h2, 2 * w2, c]);
  const row1 = tf.reshape(tf.stack([grads[2], grads[3]], 3), [n, h2, 2 * w2, c]);
  let dx = tf.reshape(tf.stack([row0, row1], 2), [n, 2 * h2, 2 * w2, c]) as tf.Tensor4D;
  if (2 * h2 !== h || 2 * w2 !== w) dx = tf.pad(dx, [[0, 0], [0, h - 2 * h2], [0, w - 2 * w2], [0, 0]]);
  return dx;
}
