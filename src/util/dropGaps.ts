/** Dropout's dropped positions, drawn as geometric gaps from a uniform stream: the gap to the next
 * dropped element is floor(log(1 - U) / log(1 - p)), so a layer of `size` elements costs about
 * p * size draws. The drawing can stop after a budget of draws and resume where it stopped, with
 * the same draws in the same order: the training loop draws a whole layer at once
 * (src/train/dropout.ts), the kernel thread draws the next step's layers in slices between the
 * halves it is handed (src/engine/kernelWorker.ts). One loop serves both, so both give the same
 * positions from the same stream. Pure: the stream comes in as a function. */

/** Where a layer's drawing stands: the next candidate position, how many positions are out, and
 * whether `pos` is a drawn position still to be written (it found `out` full). */
export interface GapCursor {
  pos: number;
  count: number;
  pending: boolean;
}

/** 'done': every position of the layer is out; 'more': the budget ran out first; 'full': `out` has
 * no room for the next position (which is drawn, and kept in the cursor for a larger `out`). */
export type GapState = 'done' | 'more' | 'full';

export const newCursor = (): GapCursor => ({ pos: 0, count: 0, pending: false });

/** log(1 - p), the denominator of every gap (p in (0, 1)). */
export const gapScale = (p: number): number => Math.log1p(-p);

/**
 * Draws dropped positions of a layer of `size` elements into `out`, from `cur`, for at most
 * `budget` draws. A position drawn when `out` is full stays pending in `cur` and is written first on
 * the next call.
 */
export function drawGaps(size: number, logq: number, rand: () => number, out: Int32Array, cur: GapCursor,
  budget: number): GapState {
  let { pos, count } = cur;
  if (cur.pending) {
    if (count === out.length) return 'full';
    out[count++] = pos;
    pos += 1;
    cur.pending = false;
  }
  for (let left = budget; left > 0; left--) {
    // number of kept elements before the next dropped one: floor(log(U) / log(1-p)), U in (0,1]
    const gap = Math.floor(Math.log(1 - rand()) / logq);
    pos += gap;
    if (pos >= size) {
      cur.pos = pos;
      cur.count = count;
      return 'done';
    }
    if (count === out.length) {
      cur.pos = pos;
      cur.count = count;
      cur.pending = true;
      return 'full';
    }
    out[count++] = pos;
    pos += 1;
  }
  cur.pos = pos;
  cur.count = count;
  return 'more';
}
