/** Progress lines: a live line with ETA on a terminal, one plain line per epoch otherwise. */
import type { TrainProgress } from '../train/loop.js';
import { formatDuration } from '../util/stats.js';


export function createProgress(name: string, stream: NodeJS.WriteStream, startedAt = performance.now()) {
  const tty = !!stream.isTTY;
  let lastDraw = 0;
  return (p: TrainProgress) => {
    const done = (p.epoch - 1) * p.steps + p.step;
    const total = p.epochs * p.steps;
    const elapsed = (performance.now() - startedAt) / 1000;
    const eta = (elapsed / done) * (total - done);
    if (p.metrics) {
      const m = p.metrics;
      const line = `${name}: epoch ${p.epoch}/${p.epochs} train loss ${m.trainLoss.toFixed(4)} acc ${m.trainAcc.toFixed(2)}% | test loss ${m.testLoss.toFixed(4)} acc ${m.testAcc.toFixed(2)}% | ${formatDuration(elapsed)} elapsed, ETA ${formatDuration(eta)}`;
      stream.write(tty ? `\r\x1b[K${line}\n` : `${line}\n`);
    } else if (tty && performance.now() - lastDraw > 200) {
      lastDraw = performance.now();
      stream.write(`\r\x1b[K${name}: epoch ${p.epoch}/${p.epochs} step ${p.step}/${p.steps} ETA ${formatDuration(eta)}`);
    }
  };
}

/** Progress of parallel workers: one live line per worker on a terminal (redrawn in place),
 * otherwise one plain line per finished epoch, prefixed by the experiment's name. */
export function createWorkerBoard(stream: NodeJS.WriteStream, slots: number) {
  const tty = !!stream.isTTY;
  const lines: string[] = Array(slots).fill('');
  const started = new Map<string, number>();
  let drawn = false;
  let lastDraw = 0;
  const draw = (force: boolean) => {
    if (!tty || (!force && performance.now() - lastDraw < 200)) return;
    lastDraw = performance.now();
    stream.write((drawn ? `\x1b[${slots}A` : '') + lines.map((l, k) => `\r\x1b[K[${k + 1}] ${l}\n`).join(''));
    drawn = true;
  };
  /** print a line above the live block */
  const above = (text: string) => {
    if (tty && drawn) stream.write(`\x1b[${slots}A\x1b[J`);
    drawn = false;
    stream.write(text + '\n');
    draw(true);
  };
  return {
    start(slot: number, name: string) {
      started.set(name, performance.now());
      lines[slot] = `${name}: starting`;
      draw(true);
    },
    event(slot: number, e: { type: string; name: string; epoch?: number; epochs?: number; step?: number; steps?: number; metrics?: Record<string, number>; wallSeconds?: number; imagesPerSec?: number }) {
      const elapsed = (performance.now() - (started.get(e.name) ?? performance.now())) / 1000;
      if (e.type === 'progress') {
        const done = (e.epoch! - 1) * e.steps! + e.step!;
        const eta = (elapsed / done) * (e.epochs! * e.steps! - done);
        lines[slot] = `${e.name}: epoch ${e.epoch}/${e.epochs} step ${e.step}/${e.steps} ETA ${formatDuration(eta)}`;
        if (e.metrics) {
          const m = e.metrics;
          const text = `${e.name}: epoch ${e.epoch}/${e.epochs} train loss ${m.trainLoss.toFixed(4)} acc ${m.trainAcc.toFixed(2)}% | test loss ${m.testLoss.toFixed(4)} acc ${m.testAcc.toFixed(2)}%`;
          if (tty) above(text);
          else stream.write(text + '\n');
        } else draw(false);
      } else if (e.type === 'done') {
        lines[slot] = `${e.name}: done`;
        const text = `${e.name}: done in ${e.wallSeconds!.toFixed(1)}s (${e.imagesPerSec!.toFixed(0)} img/s)`;
        if (tty) above(text);
        else stream.write(text + '\n');
      }
    },
    finish() {
      if (tty && drawn) stream.write(`\x1b[${slots}A\x1b[J`);
      drawn = false;
    },
  };
}
