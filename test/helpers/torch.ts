/** Reading the PyTorch fixtures (test/fixtures/torch) and converting torch layouts to tfjs ones. */
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';

export interface TorchTensor { shape: number[]; data: number[] }

export function loadFixture<T = any>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../fixtures/torch/${name}`, import.meta.url), 'utf8')) as T;
}

/** NCHW -> NHWC, OIHW -> HWIO; 1-D and 2-D tensors unchanged. */
export function fromTorch(t: TorchTensor): tf.Tensor {
  const x = tf.tensor(Float32Array.from(t.data), t.shape);
  if (t.shape.length !== 4) return x;
  return tf.tidy(() => tf.transpose(x, [0, 2, 3, 1]));
}
export function weightFromTorch(t: TorchTensor): tf.Tensor {
  return tf.tidy(() => tf.transpose(tf.tensor(Float32Array.from(t.data), t.shape), [2, 3, 1, 0]));
}

/** max |a-b| / (atol + rtol*|b|) over all elements: <= 1 means within tolerance */
export function closeness(a: tf.Tensor, b: tf.Tensor, atol: number, rtol: number): number {
  const ad = a.dataSync();
  const bd = b.dataSync();
  if (ad.length !== bd.length) throw new Error(`size ${ad.length} vs ${bd.length}`);
  let worst = 0;
  for (let i = 0; i < ad.length; i++) worst = Math.max(worst, Math.abs(ad[i] - bd[i]) / (atol + rtol * Math.abs(bd[i])));
  return worst;
}
