/** Each step's dropout positions, drawn one step ahead by the kernel thread when there is one.
 * The dropout stream is used by nothing else, and only one side draws at a time: this step's
 * draws come from the job posted one step earlier (or are drawn here, at an epoch's first step),
 * then the next step's job is posted with the stream's state after them. So the draws, and the
 * bytes, are those of drawing every step here; the stream's state is back here after each take, and
 * no job crosses an epoch's end (its checkpoint saves the state). */
import type { AleaState, DrawAhead, DrawLayer } from '../engine/wasmKernels.js';
import { dropPositions, keepScale } from './dropout.js';
import { dropoutMaskShapes, type Network } from './model.js';
import { createStream, type Streams } from './rng.js';

/** A dropout mask as the positions it zeroes (src/train/dropout.ts) and the scale of the rest. */
export interface Drop { positions: Int32Array; keep: number }

const count = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** Room for a layer's positions in a job: 1.25 times the expected count plus a margin (many
 * standard deviations; a job that outgrows it is drawn again here, from its starting state). */
export const drawCap = (size: number, p: number): number => Math.ceil(size * p * 1.25) + 64;

export class DropoutDraws {
  private readonly rates: number[];
  private readonly scratch: (Int32Array | undefined)[];
  private out: { ticket: number; job: { state: AleaState; layers: DrawLayer[] }; n: number } | null = null;

  constructor(private readonly net: Network, private readonly seed: number, private readonly streams: Streams,
    private readonly helper: DrawAhead | undefined) {
    this.rates = net.dropouts.map((i) => (net.layers[i] as { p: number }).p);
    this.scratch = this.rates.map(() => undefined);
  }

  /** The drops of a step of `n` images; `nextN`: the next step's images when it is in this epoch
   * (its draws are posted to the helper), else null. */
  take(n: number, nextN: number | null): Drop[] {
    let positions: Int32Array[] | null = null;
    if (this.out) {
      const { ticket, job, n: jobN } = this.out;
      this.out = null;
      const r = this.helper!.takeDraws(ticket);
      if (jobN !== n) throw new Error(`dropout draws: drawn ahead for ${jobN} images, the step has ${n}`);
      this.streams.dropout = createStream(this.seed, 'dropout', r ? r.state : job.state);
      positions = r ? r.positions : null;
    }
    positions ??= this.drawHere(n);
    if (nextN !== null && this.helper && this.rates.length > 0) this.post(nextN);
    return positions.map((p, j) => ({ positions: p, keep: keepScale(this.rates[j]) }));
  }

  /** Takes (and drops) a job still out, so the helper's next job starts from a clean queue. */
  close(): void {
    if (!this.out) return;
    const { ticket } = this.out;
    this.out = null;
    this.helper!.takeDraws(ticket);
  }

  private sizes(n: number): number[] {
    return dropoutMaskShapes(this.net, n).map(count);
  }

  private drawHere(n: number): Int32Array[] {
    return this.sizes(n).map((size, j) => {
      const positions = dropPositions(size, this.rates[j], this.streams.dropout.next, this.scratch[j]);
      this.scratch[j] = new Int32Array(positions.buffer); // the whole buffer, reused next step
      return positions;
    });
  }

  private post(n: number): void {
    const layers = this.sizes(n).map((size, j) => ({ size, p: this.rates[j], cap: drawCap(size, this.rates[j]) }));
    const job = { state: this.streams.dropout.state() as AleaState, layers };
    this.out = { ticket: this.helper!.postDraws(job), job, n };
  }
}
