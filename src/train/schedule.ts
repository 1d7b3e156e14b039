/** Learning-rate and momentum schedules, PyTorch semantics (torch.optim.lr_scheduler.OneCycleLR). */
import type { ScheduleConfig } from '../spec/types.js';

export interface StepHyper {
  lr: number;
  momentum: number;
}

/** Returns a function step -> {lr, momentum} for steps 0..totalSteps-1 (the values used by that step's update). */
export function planSchedule(
  cfg: ScheduleConfig,
  base: { lr: number; momentum: number },
  totalSteps: number,
): (step: number) => StepHyper {
  if (cfg.type === 'constant') return () => ({ lr: base.lr, momentum: base.momentum });
  const initialLr = cfg.maxLr / cfg.divFactor;
  const minLr = initialLr / cfg.finalDivFactor;
  const anneal =
    cfg.anneal === 'cos'
      ? (start: number, end: number, pct: number) => end + ((start - end) / 2.0) * (Math.cos(Math.PI * pct) + 1)
      : (start: number, end: number, pct: number) => (end - start) * pct + start;
  const phases = [
    { end: cfg.pctStart * totalSteps - 1, lr: [initialLr, cfg.maxLr], mom: [cfg.maxMomentum, cfg.baseMomentum] },
    { end: totalSteps - 1, lr: [cfg.maxLr, minLr], mom: [cfg.baseMomentum, cfg.maxMomentum] },
  ];
  return (step: number) => {
    if (step < 0 || step >= totalSteps) throw new RangeError(`step ${step} outside schedule of ${totalSteps} steps`);
    let start = 0;
    for (let i = 0; i < phases.length; i++) {
      const ph = phases[i];
      if (step <= ph.end || i === phases.length - 1) {
        const pct = (step - start) / (ph.end - start);
        return {
          lr: anneal(ph.lr[0], ph.lr[1], pct),
          momentum: cfg.cycleMomentum ? anneal(ph.mom[0], ph.mom[1], pct) : base.momentum,
        };
      }
      start = ph.end;
    }
    throw new Error('unreachable');
  };
}
