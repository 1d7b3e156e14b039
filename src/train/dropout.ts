/** Element-wise dropout from a seeded stream. Instead of one draw per element, draw the gap to the
 * next dropped element (geometric distribution): ~p*size draws instead of size. The draws give the
 * dropped positions; the mask is 1/(1-p) everywhere else. */
import { drawGaps, gapScale, newCursor } from '../util/dropGaps.js';

/** Positions (ascending) of the dropped elements among `size`, drawn from `rand` (util/dropGaps.ts:
 * the same loop the kernel thread draws ahead with). `scratch` is reused when large enough; the
 * result is a view of it (or of a grown copy). */
export function dropPositions(size: number, p: number, rand: () => number, scratch?: Int32Array): Int32Array {
  let out = scratch ?? new Int32Array(Math.max(16, Math.ceil(size * p * 1.25)));
  if (p <= 0) return out.subarray(0, 0);
  const logq = gapScale(p);
  const cur = newCursor();
  while (drawGaps(size, logq, rand, out, cur, Infinity) === 'full') {
    const grown = new Int32Array(out.length * 2);
    grown.set(out);
    out = grown;
  }
  return out.subarray(0, cur.count);
}

/** The scale of the kept elements, rounded to f32 as the mask holds it. */
export function keepScale(p: number): number {
  return Math.fround(1 / (1 - p));
}

/** The full mask: `keep` everywhere, 0 at the dropped positions (for the op-by-op path). */
export function maskInto(mask: Float32Array, positions: Int32Array, keep: number): Float32Array {
  mask.fill(keep);
  for (const pos of positions) mask[pos] = 0;
  return mask;
}

export function fillDropoutMask(mask: Float32Array, p: number, rand: () => number): void {
  maskInto(mask, dropPositions(mask.length, p, rand), keepScale(p));
}
