/** reproduce below the command: plan (with copies of identical trainings), train in this process
 * or in workers, write the copies, then verify and report (or, for a shard, write its manifest). */
import { relative } from 'node:path';
import type { BackendInfo } from '../engine/backend.js';
import { describeAdapter } from '../engine/adapter.js';
import { NormregError, formatProblem } from '../errors.js';
import { shareTraining } from '../plan/plan.js';
import { planRuns, type PlannedRun, type RunEnv } from '../plan/runs.js';
import { copyRun } from '../run/copyRun.js';
import { runInProcess } from '../run/inProcess.js';
import { runPool, type PoolResult } from '../run/pool.js';
import { createWorkerBoard } from '../run/progress.js';
import { shardManifestFor, writeShardManifest } from '../shard/merge.js';
import { describeShard, inBalancedShard } from '../shard/balance.js';
import type { Selection, Shard } from '../shard/shard.js';
import type { UpdateMode } from '../verify/update.js';
import { verifyAll } from '../verify/verify.js';
import type { Common } from './common.js';
import { printVerify } from './print.js';
import { verifyAndReport } from './verifyReport.js';

export const toTrain = (plan: PlannedRun[]) => plan.filter((p) => p.decision.action === 'train' || p.decision.action === 'resume');
const copies = (plan: PlannedRun[]) => plan.filter((p) => p.decision.action === 'copy');

/** The plan of the selected runs (this shard's), each run that another one trains (or trained)
 * identically marked as a copy of it; stored results of the profile's other runs serve too. */
export function planWithCopies(c: Common, env: RunEnv, force: boolean, shard: Shard | null): PlannedRun[] {
  const plan = inBalancedShard(planRuns(c.ws, c.specs, env, force), shard);
  const inPlan = new Set(plan.map((p) => p.spec.name));
  const others = force ? [] : planRuns(c.ws, c.all.filter((s) => !inPlan.has(s.name)), env, false).map((p) => p.decision);
  return shareTraining(plan, others);
}

/** Write every copy whose source is there (trained now or stored); one whose source failed fails. */
function writeCopies(c: Common, plan: PlannedRun[], results: PoolResult[]): PoolResult[] {
  const bad = new Set(results.filter((r) => r.status !== 'ok').map((r) => r.name));
  return copies(plan).map((p): PoolResult => {
    const from = p.decision.copyFrom!;
    if (bad.has(from)) return { name: p.spec.name, status: results.find((r) => r.name === from)!.status === 'failed' ? 'failed' : 'not-started', exitCode: 2, error: `its source run ${from} did not finish` };
    try {
      copyRun(c.ws, p);
      process.stdout.write(`${p.spec.name}: copied from ${from} (same training)\n`);
      return { name: p.spec.name, status: 'ok', exitCode: 0 };
    } catch (e) {
      if (!(e instanceof NormregError)) throw e;
      return { name: p.spec.name, status: 'failed', exitCode: 2, error: e.problems.map(formatProblem).join('; ') };
    }
  });
}

/** Train what the plan says (one run or --jobs 1: here; else `jobs` workers), then write the
 * copies; after an interrupt the copies are not started. */
export async function trainPlan(c: Common, plan: PlannedRun[], backend: BackendInfo, jobs: number, workerArgs: (name: string) => string[], signal: AbortSignal): Promise<PoolResult[]> {
  const todo = toTrain(plan);
  let results: PoolResult[];
  if (jobs <= 1 || todo.length <= 1) results = await runInProcess(c.ws, todo, backend, signal);
  else {
    const board = createWorkerBoard(process.stdout, Math.min(jobs, todo.length));
    results = await runPool(todo.map((p) => ({ name: p.spec.name, args: workerArgs(p.spec.name) })), jobs, {
      cwd: c.ws.root, signal, onStart: board.start, onEvent: board.event,
    });
    board.finish();
  }
  return [...results, ...(signal.aborted
    ? copies(plan).map((p): PoolResult => ({ name: p.spec.name, status: 'not-started', exitCode: null }))
    : writeCopies(c, plan, results))];
}

/** "trained N, copied N, cached N, failed N in S s" and a line per failed run */
export function renderOutcome(plan: PlannedRun[], results: PoolResult[], seconds: number): string {
  const trained = new Set(toTrain(plan).map((p) => p.spec.name));
  const nCopies = copies(plan).length;
  const ok = results.filter((r) => r.status === 'ok');
  const failed = results.filter((r) => r.status === 'failed');
  return `trained ${ok.filter((r) => trained.has(r.name)).length}, ${nCopies ? `copied ${ok.filter((r) => !trained.has(r.name)).length}, ` : ''}cached ${plan.length - trained.size - nCopies}, failed ${failed.length} in ${seconds.toFixed(1)}s\n` +
    failed.map((f) => `FAILED  ${f.name}: ${f.error}\n`).join('');
}

/** After training: verify the runs that did not fail; a shard writes its manifest, a whole plan
 * also its report. */
export async function verifyTrained(c: Common, plan: PlannedRun[], results: PoolResult[], mode: UpdateMode, shard: { shard: Shard; env: RunEnv; backend: string; selection: Selection } | null): Promise<boolean> {
  const failedNames = new Set(results.filter((r) => r.status === 'failed').map((f) => f.name));
  const done = plan.filter((p) => !failedNames.has(p.spec.name)).map((p) => p.spec);
  if (!shard) return verifyAndReport({ ...c, specs: done }, mode, !c.filtered && failedNames.size === 0);
  const outcome = verifyAll(c.ws, done, mode, { checkObsolete: false });
  printVerify(outcome, process.stdout);
  const s = shard.shard;
  const file = writeShardManifest(c.ws, shardManifestFor(c.profile, s, c.specs, shard.env.code, plan, outcome, shard.backend, shard.selection));
  process.stdout.write(`shard ${s.index}/${s.total}: manifest ${relative(c.ws.root, file)}; merge the shards with \`normreg merge\`\n`);
  return outcome.ok;
}

/** "normreg reproduce: N experiment(s), profile P, backend B (kernels), jobs J, threads T", and for
 * a shard its share of the whole plan and the longest shard's (in training images) */
export function renderHeader(c: Common, plan: PlannedRun[], shard: Shard | null, backend: BackendInfo, jobs: number, env: RunEnv): string {
  const tf = backend.tensorflow;
  const share = shard ? `${describeShard(planRuns(c.ws, c.specs, env, false), shard)}\n` : '';
  return `normreg reproduce: ${plan.length} experiment(s)${shard ? ` (shard ${shard.index}/${shard.total} of ${c.specs.length})` : ''}, profile ${c.profile}, backend ${backend.name}${backend.kernels.length ? ` (kernels: ${backend.kernels.join(', ')})` : ''}, jobs ${jobs}${backend.name === 'wasm' ? `, threads ${backend.threads}` : ''}${tf ? ` (TensorFlow ${tf.version}, ${tf.intraOpThreads} intra-op / ${tf.interOpThreads} inter-op thread(s) per run)` : ''}${backend.webgpu ? ` (adapter: ${describeAdapter(backend.webgpu.adapter)})` : ''}\n${share}`;
}
