/** Building input batches on the CPU: subset selection, shuffling, augmentation, normalization. */
import type { Split } from '../data/idx.js';
import { augmentImage, normalizeInto, normLut, sampleAugmentParams, type AugmentConfig } from './augment.js';
import { permutation } from './rng.js';
import type { ResolvedSpec } from '../spec/types.js';

const MNIST_PIXELS = 784;

/** x = (pixel/255 - mean) / std, per the spec's /dataset/normalize. */
export interface Normalize { mean: number; std: number }

/** Seeded subset of [0, n): the first k of a permutation, in ascending order; all when k is null. */
export function selectSubset(n: number, k: number | null, rand: () => number): Uint32Array {
  if (k === null || k >= n) return Uint32Array.from({ length: n }, (_, i) => i);
  return permutation(n, rand).slice(0, k).sort();
}

export function augmentConfigOf(a: ResolvedSpec['augmentation']): AugmentConfig {
  return {
    rotation: a.rotation, rotationFill: a.rotationFill, affineDegrees: a.affineDegrees, translate: a.translate,
    scaleMin: a.scale[0], scaleMax: a.scale[1], shear: a.shear, brightness: a.brightness, contrast: a.contrast,
  };
}

export interface BatchBuffers { x: Float32Array; y: Int32Array; scratch: Uint8Array }

export function allocBatch(size: number, pixels = MNIST_PIXELS): BatchBuffers {
  return { x: new Float32Array(size * pixels), y: new Int32Array(size), scratch: new Uint8Array(pixels) };
}

/** Fill buffers with images split[indices[start..start+count)], augmented when `augment` is given. */
export function fillBatch(
  split: Split, indices: ArrayLike<number>, start: number, count: number, buf: BatchBuffers,
  augment: { cfg: AugmentConfig; rand: () => number } | null,
  normalize?: Normalize,
): void {
  const PIXELS = split.rows * split.cols;
  if (augment && PIXELS !== MNIST_PIXELS) throw new Error(`augmentation is written for 28x28 images, not ${split.rows}x${split.cols}`);
  const norm = normalize && normLut(normalize.mean, normalize.std);
  for (let b = 0; b < count; b++) {
    const idx = indices[start + b];
    buf.y[b] = split.labels[idx];
    const src = split.images.subarray(idx * PIXELS, (idx + 1) * PIXELS);
    if (augment) {
      augmentImage(split.images, idx * PIXELS, sampleAugmentParams(augment.cfg, augment.rand), buf.scratch);
      normalizeInto(buf.scratch, buf.x, b * PIXELS, norm);
    } else {
      normalizeInto(src, buf.x, b * PIXELS, norm);
    }
  }
}
