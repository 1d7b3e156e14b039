/** What a `normreg slurm` submission will do: each shard's runs as its own workspace plans them
 * (cached / resume / train, with reasons), and each shard's expected time from measured speed. */
import { join } from 'node:path';
import type { BackendInfo } from '../engine/backend.js';
import { planRuns, type PlannedRun, type RunEnv } from '../run/cache.js';
import { shareTraining } from '../plan/plan.js';
import { balanceItem, balanceShards, shardTimes, type ShardTime } from '../shard/balance.js';
import { estimatePlan, type SpeedSample } from '../plan/estimate.js';
import { calibrate, readSpeedSamples, thisCpu, workOf } from '../run/speed.js';
import { CALIBRATE_MIN_IMAGES } from '../run/orchestrate.js';
import type { ResolvedSpec } from '../spec/types.js';
import type { Workspace } from '../result/files.js';
import { shardDir } from './script.js';

export interface ShardPlan { index: number; ws: Workspace; plan: PlannedRun[] }

export function planShards(ws: Workspace, runDir: string, specs: ResolvedSpec[], env: RunEnv, shards: number): ShardPlan[] {
  const names = balanceShards(planRuns(ws, specs, env, false).map(balanceItem), shards).map((l) => new Set(l.names));
  return names.map((mine, i) => {
    const sws: Workspace = { ...ws, root: shardDir(runDir, i + 1) };
    return { index: i + 1, ws: sws, plan: shareTraining(planRuns(sws, specs.filter((s) => mine.has(s.name)), env, false)) };
  });
}

export interface ShardEstimate { times: { shards: ShardTime[]; longest: number; mean: number } | null; basis: string }

/** Seconds per shard of its runs to train, at `jobs` runs side by side per task; speed from the
 * facts of runs in this workspace and in the shards' folders, else a short calibration. */
export async function estimateShards(ws: Workspace, shards: ShardPlan[], backend: BackendInfo, jobs: number): Promise<ShardEstimate> {
  const work = shards.flatMap((s) => workOf(s.plan));
  if (work.length === 0) return { times: shardTimes(shards.map((s) => ({ index: s.index, names: s.plan.map((p) => p.spec.name), weight: 0 })), new Map()), basis: 'nothing to train' };
  let samples: SpeedSample[] = [...readSpeedSamples(ws), ...shards.flatMap((s) => readSpeedSamples(s.ws))];
  let e = estimatePlan(work, samples, 1, thisCpu());
  if (!e) {
    const images = work.reduce((a, w) => a + w.images, 0);
    if (images < CALIBRATE_MIN_IMAGES) return { times: null, basis: `no speed measured here yet; ${images.toLocaleString('en-US')} training images in all, too little to be worth a calibration` };
    const norms = [...new Set(work.map((w) => w.norm))].filter((n) => !samples.some((s) => s.norm === n));
    process.stdout.write(`calibrating: a few training steps per norm (${norms.join(', ')}), no earlier run's facts.json to go by\n`);
    samples = [...samples, ...(await calibrate(backend, norms))];
    e = estimatePlan(work, samples, 1, thisCpu());
    if (!e) return { times: null, basis: 'speed unknown: calibration failed' };
  }
  const perRun = new Map(work.map((w, i) => [w.name, e!.perRun[i]]));
  const loads = shards.map((s) => ({ index: s.index, names: s.plan.map((p) => p.spec.name), weight: 0 }));
  const basis = [e.basis.facts ? `${e.basis.facts} earlier run(s)' facts.json` : '', e.basis.calibration ? `a ${e.basis.calibration}-norm calibration here` : ''].filter(Boolean).join(' and ');
  return { times: shardTimes(loads, perRun, jobs), basis: `speed from ${basis}` };
}

export const runFolder = (ws: Workspace, slug: string) => join(ws.root, 'results', 'slurm', slug);
