/** Exact PNG comparison: rendering is deterministic, so any differing pixel is a real change. */
import pixelmatch from 'pixelmatch';
import { PNG } from 'pngjs';

export interface PngComparison {
  equal: boolean;
  /** differing pixels; when the sizes differ, the pixel count of the larger image */
  diffPixels: number;
  /** size of `actual` */
  width: number;
  height: number;
  sizeMismatch: boolean;
  /** differing pixels in red over a faded `expected`; null when equal or when the sizes differ */
  diffPng: Buffer | null;
}

export function comparePng(actual: Buffer, expected: Buffer): PngComparison {
  const a = PNG.sync.read(actual);
  const e = PNG.sync.read(expected);
  const { width, height } = a;
  if (width !== e.width || height !== e.height) {
    return { equal: false, diffPixels: Math.max(width * height, e.width * e.height), width, height, sizeMismatch: true, diffPng: null };
  }
  const diff = new PNG({ width, height });
  const diffPixels = pixelmatch(e.data, a.data, diff.data, width, height, { threshold: 0, includeAA: true });
  const diffPng = diffPixels === 0 ? null : PNG.sync.write(diff);
  return { equal: diffPixels === 0, diffPixels, width, height, sizeMismatch: false, diffPng };
}
