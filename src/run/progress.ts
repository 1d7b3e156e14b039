/** Progress lines: a live line with ETA on a terminal, one plain line per epoch otherwise. */
import type { TrainProgress } from '../train/loop.js';

function fmtDuration(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${s.toFixed(0)}s`;
}

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
      const line = `${name}: epoch ${p.epoch}/${p.epochs} train loss ${m.trainLoss.toFixed(4)} acc ${m.trainAcc.toFixed(2)}% | test loss ${m.testLoss.toFixed(4)} acc ${m.testAcc.toFixed(2)}% | ${fmtDuration(elapsed)} elapsed, ETA ${fmtDuration(eta)}`;
      stream.write(tty ? `\r\x1b[K${line}\n` : `${line}\n`);
    } else if (tty && performance.now() - lastDraw > 200) {
      lastDraw = performance.now();
      stream.write(`\r\x1b[K${name}: epoch ${p.epoch}/${p.epochs} step ${p.step}/${p.steps} ETA ${fmtDuration(eta)}`);
    }
  };
}
