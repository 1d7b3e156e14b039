/** Shared by the assembly kernel tests: the wasm backend with our kernels, heap pointers of
 * tensors, and inputs that include the values where bit-identity is easiest to lose. */
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../../src/engine/backend.js';
import { wasmKernelExports, type KernelExports } from '../../../src/engine/wasmKernels.js';

export async function kernels(): Promise<KernelExports> {
  await selectBackend('wasm');
  const k = wasmKernelExports();
  if (!k) throw new Error('the kernel binary is not loaded on the wasm backend');
  return k;
}

export function ptr(t: tf.Tensor): number {
  const backend = tf.backend() as unknown as { dataIdMap: { get(id: object): { memoryOffset: number } } };
  return backend.dataIdMap.get(t.dataId).memoryOffset;
}

/** +-0, denormals, values that overflow when multiplied, infinities and NaN. */
const SPECIAL = [0, -0, 1e-40, -1e-40, 3e38, -3e38, Infinity, -Infinity, NaN];

export function values(n: number, seed: number, mode: 'plain' | 'wide' | 'special'): Float32Array {
  let s = seed >>> 0;
  const r = () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 2 ** 32; };
  return Float32Array.from({ length: n }, () => {
    if (mode === 'special' && r() < 0.2) return SPECIAL[Math.floor(r() * SPECIAL.length)];
    return (r() * 2 - 1) * (mode === 'wide' ? 2 ** Math.floor(r() * 40 - 20) : 1);
  });
}

export function bytes(t: tf.Tensor): Buffer {
  return Buffer.from((t.dataSync() as Float32Array).slice().buffer);
}

/** A tensor of `size` floats to be overwritten by a kernel (filled with 7 so a skipped store shows). */
export function target(shape: number[]): tf.Tensor {
  return tf.fill(shape, 7);
}

/** Same bits everywhere, except that a NaN may carry another sign or payload: wasm leaves a NaN
 * result's bits to the engine (the spec's non-deterministic NaN), and a NaN never reaches a result
 * file of a training that still learns. Returns the first difference, or null. */
export function sameValues(a: tf.Tensor, b: tf.Tensor): string | null {
  const x = a.dataSync() as Float32Array, y = b.dataSync() as Float32Array;
  if (x.length !== y.length) return `length ${x.length} vs ${y.length}`;
  const xi = new Uint32Array(x.buffer, x.byteOffset, x.length), yi = new Uint32Array(y.buffer, y.byteOffset, y.length);
  for (let i = 0; i < x.length; i++) {
    if (xi[i] === yi[i] || (Number.isNaN(x[i]) && Number.isNaN(y[i]))) continue;
    return `at ${i}: ${x[i]} (0x${xi[i].toString(16)}) vs ${y[i]} (0x${yi[i].toString(16)})`;
  }
  return null;
}
