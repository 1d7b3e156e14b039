/** The plan's expected duration line: measured speed of earlier runs here, else a calibration. */
import type { BackendInfo } from '../engine/backend.js';
import type { PlannedRun } from '../plan/runs.js';
import type { Workspace } from '../workspace/paths.js';
import { estimatePlan, renderEstimate } from '../plan/estimate.js';
import { cpuLabel } from '../host/cpu.js';
import { calibrate, readSpeedSamples, workOf } from './speed.js';

/** Below this much work (training images over all runs to train) a plan without measured speed is
 * not worth a calibration: it trains in about the time calibrating would take. */
const CALIBRATE_MIN_IMAGES = 300_000;

/** The plan's expected duration: from the facts of earlier runs, else from a short calibration. */
export async function estimateLine(ws: Workspace, plan: PlannedRun[], backend: BackendInfo, jobs: number): Promise<string> {
  const work = workOf(plan);
  if (work.length === 0) return 'plan: nothing to train (every run is cached)';
  let samples = readSpeedSamples(ws);
  let e = estimatePlan(work, samples, jobs, cpuLabel());
  if (!e) {
    const images = work.reduce((a, w) => a + w.images, 0);
    if (images < CALIBRATE_MIN_IMAGES) return `plan: ${work.length} run(s) to train, ${images.toLocaleString('en-US')} training images in all (no speed measured here yet; too little work to be worth a calibration)`;
    const norms = [...new Set(work.map((w) => w.norm))].filter((n) => !samples.some((s) => s.norm === n));
    process.stdout.write(`calibrating: a few training steps per norm (${norms.join(', ')}), no earlier run's facts.json to go by\n`);
    samples = [...samples, ...(await calibrate(backend, norms))];
    e = estimatePlan(work, samples, jobs, cpuLabel());
  }
  return e ? renderEstimate(e) : `plan: ${work.length} run(s) to train (speed unknown: calibration failed)`;
}
