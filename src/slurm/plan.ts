/** What a `normreg slurm` submission will do: each shard's runs as its own workspace plans them
 * (cached / resume / train, with reasons), each shard's expected time from measured speed, and the
 * batch job those make. */
import type { BackendInfo } from '../engine/backend.js';
import { planRuns, type PlannedRun, type RunEnv } from '../plan/runs.js';
import { shareTraining } from '../plan/plan.js';
import { balanceItem, balanceShards, shardTimes, type ShardTime } from '../shard/balance.js';
import { workOf } from '../bench/speed.js';
import { estimateWork } from '../bench/planEstimate.js';
import type { ResolvedSpec } from '../spec/types.js';
import { slurmShardDir, type Workspace } from '../workspace/paths.js';

export interface ShardPlan { index: number; ws: Workspace; plan: PlannedRun[] }

/** Each shard's plan in its own workspace (runDir/shard-<I>), the runs split as `reproduce --shard`
 * splits them. */
export function planShards(ws: Workspace, runDir: string, specs: ResolvedSpec[], env: RunEnv, shards: number): ShardPlan[] {
  const names = balanceShards(planRuns(ws, specs, env, false).map(balanceItem), shards).map((l) => new Set(l.names));
  return names.map((mine, i) => {
    const sws: Workspace = { ...ws, root: slurmShardDir(runDir, i + 1) };
    return { index: i + 1, ws: sws, plan: shareTraining(planRuns(sws, specs.filter((s) => mine.has(s.name)), env, false)) };
  });
}

export interface ShardEstimate { times: { shards: ShardTime[]; longest: number; mean: number } | null; basis: string }

/** Seconds per shard of its runs to train, at `jobs` runs side by side per task; speed from the
 * facts of runs in this workspace and in the shards' folders, else a short calibration. */
export async function estimateShards(ws: Workspace, shards: ShardPlan[], backend: BackendInfo, jobs: number): Promise<ShardEstimate> {
  const work = shards.flatMap((s) => workOf(s.plan));
  if (work.length === 0) return { times: shardTimes(shards.map((s) => ({ index: s.index, names: s.plan.map((p) => p.spec.name), weight: 0 })), new Map()), basis: 'nothing to train' };
  const e = await estimateWork([ws, ...shards.map((s) => s.ws)], work, backend, 1);
  if ('why' in e) return { times: null, basis: e.why };
  const perRun = new Map(work.map((w, i) => [w.name, e.perRun[i]]));
  const loads = shards.map((s) => ({ index: s.index, names: s.plan.map((p) => p.spec.name), weight: 0 }));
  const basis = [e.basis.facts ? `${e.basis.facts} earlier run(s)' facts.json` : '', e.basis.calibration ? `a ${e.basis.calibration}-norm calibration here` : ''].filter(Boolean).join(' and ');
  return { times: shardTimes(loads, perRun, jobs), basis: `speed from ${basis}` };
}

/** The run folder's name: one per profile, backend, selection and shard count, so the same
 * command resubmitted finds its shards' results and checkpoints again. */
export function runSlug(profile: string, backend: string, selection: { only?: string; seeds?: string }, shards: number): string {
  const clean = (s: string) => s.replace(/[^A-Za-z0-9.+-]+/g, '+');
  const parts = [profile + (backend === 'wasm' ? '' : `.${backend}`), selection.only ? clean(selection.only) : 'all', ...(selection.seeds ? [`seeds-${clean(selection.seeds)}`] : []), `${shards}-shards`];
  return parts.join('.').slice(0, 120);
}
