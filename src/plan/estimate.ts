/** How long a plan will take, from measured speed: the facts of earlier runs (img/s per run, with
 * its evaluation passes) or a short calibration. Pure: the caller reads facts or calibrates and
 * passes the samples in. */
import { formatDuration, median } from '../util/stats.js';

export interface SpeedSample {
  /** 'facts': a finished run's facts.json; 'calibration': a few timed training steps here */
  source: 'facts' | 'calibration';
  /** the CPU the speed was measured on (facts.json `cpu`); samples of this machine's CPU win */
  cpu: string;
  profile: string;
  norm: string;
  batchSize: number;
  /** training images per second of wall time, evaluation included (facts.json `imagesPerSec`) */
  imagesPerSec: number;
}

/** One run still to train: the training images it will go through (train size x epochs left). */
export interface RunWork { name: string; profile: string; norm: string; batchSize: number; images: number }

export interface Estimate {
  runs: number;
  jobs: number;
  /** wall time of the whole plan with `jobs` runs side by side */
  seconds: number;
  perRun: number[];
  /** how many samples of each source the estimate rests on */
  basis: { facts: number; calibration: number };
}

/** Start-up of a run (engine, dataset, model) besides its epochs, measured at about 1.5 s */
export const RUN_OVERHEAD_S = 2;


/** The samples that best match a run: same profile, norm and batch size; else same norm and batch
 * size; else same norm; else all. */
export function samplesFor(w: RunWork, samples: SpeedSample[]): SpeedSample[] {
  const tiers: ((s: SpeedSample) => boolean)[] = [
    (s) => s.profile === w.profile && s.norm === w.norm && s.batchSize === w.batchSize,
    (s) => s.norm === w.norm && s.batchSize === w.batchSize,
    (s) => s.norm === w.norm,
    () => true,
  ];
  for (const t of tiers) {
    const m = samples.filter(t);
    if (m.length) return m;
  }
  return [];
}

/** Wall time of runs started in plan order on `jobs` workers, each next run on the first free one
 * (what the worker pool does). */
export function makespan(durations: number[], jobs: number): number {
  const free = Array(Math.max(1, jobs)).fill(0);
  for (const d of durations) {
    const i = free.indexOf(Math.min(...free));
    free[i] += d;
  }
  return Math.max(0, ...free);
}

/** null when some run has no sample to go by (calibrate first). */
export function estimatePlan(work: RunWork[], samples: SpeedSample[], jobs: number, thisCpu: string): Estimate | null {
  const local = samples.filter((s) => s.cpu === thisCpu);
  const pool = local.length ? local : samples;
  const used = new Set<SpeedSample>();
  const perRun: number[] = [];
  for (const w of work) {
    const m = samplesFor(w, pool);
    if (m.length === 0) return null;
    m.forEach((s) => used.add(s));
    perRun.push(RUN_OVERHEAD_S + w.images / median(m.map((s) => s.imagesPerSec)));
  }
  const basis = { facts: 0, calibration: 0 };
  for (const s of used) basis[s.source]++;
  return { runs: work.length, jobs, seconds: makespan(perRun, jobs), perRun, basis };
}


export function renderEstimate(e: Estimate): string {
  const from = [e.basis.facts ? `${e.basis.facts} earlier run(s)' facts.json` : '', e.basis.calibration ? `a ${e.basis.calibration}-norm calibration on this machine` : ''].filter(Boolean).join(' and ');
  return `plan: ${e.runs} run(s) to train, about ${formatDuration(e.seconds)} with --jobs ${e.jobs} (speed from ${from})`;
}
