/** normreg reproduce: plan, train (in process or in --jobs workers), verify, report. */
import { relative } from 'node:path';
import { availableParallelism } from 'node:os';
import { BACKEND_CHOICES, applyThreads, parseTfThreads, selectBackend, type BackendChoice, type BackendInfo } from '../engine/backend.js';
import { verifyAll } from '../verify/verify.js';
import { describeAdapter } from '../engine/adapter.js';
import { checkInputs } from '../verify/inputs.js';
import { createWorkerBoard } from '../run/progress.js';
import { planRuns, type PlannedRun, type RunEnv } from '../run/cache.js';
import { shareTraining } from '../plan/plan.js';
import { copyRun } from '../run/copyRun.js';
import { NormregError, formatProblem } from '../errors.js';
import { EXIT_INTERRUPTED, runPool, type PoolResult } from '../run/pool.js';
import { inShard, parseShard } from '../run/shard.js';
import { shardManifestFor, writeShardManifest } from '../run/merge.js';
import { checkData } from '../run/runSpec.js';
import { estimateLine, parseJobs, runEnvFor, runInProcess } from '../run/orchestrate.js';
import { common, oneOf, selectionOf, updateMode, type Common, type Values } from './args.js';
import { interruptHandler, lockWorkspace } from './session.js';
import { printPlan, printVerify } from './print.js';
import { verifyAndReport } from './verifyFlow.js';

function workerArgs(c: Common, values: Values, backend: BackendInfo, name: string): string[] {
  return ['worker', '--profile', c.profile, '--backend', backend.name, '--threads', String(Math.max(1, backend.threads)), ...(backend.tensorflow ? ['--inter-threads', String(backend.tensorflow.interOpThreads)] : []), '--only', name, ...(values.specs ? ['--specs', values.specs] : []), ...(values.seeds ? ['--seeds', values.seeds] : []), ...(values.force ? ['--force'] : [])];
}

/** TensorFlow's thread counts when the choice may load it (they must be known before it loads). */
export function tfThreadsFor(choice: BackendChoice, values: Values) {
  return choice === 'wasm' || choice === 'cpu' ? undefined : parseTfThreads(values.threads, values['inter-threads']);
}

/** The plan of the selected runs (this shard's), each run that another one trains (or trained)
 * identically marked as a copy of it; stored results of the profile's other runs serve too. */
function planWithCopies(c: Common, env: RunEnv, force: boolean, shard: ReturnType<typeof parseShard>): PlannedRun[] {
  const plan = inShard(planRuns(c.ws, c.specs, env, force), shard);
  const inPlan = new Set(plan.map((p) => p.spec.name));
  const others = force ? [] : planRuns(c.ws, c.all.filter((s) => !inPlan.has(s.name)), env, false).map((p) => p.decision);
  return shareTraining(plan, others);
}

/** Write every copy whose source is there (trained now or stored); one whose source failed fails. */
function writeCopies(c: Common, plan: PlannedRun[], results: PoolResult[]): PoolResult[] {
  const bad = new Set(results.filter((r) => r.status !== 'ok').map((r) => r.name));
  return plan.filter((p) => p.decision.action === 'copy').map((p): PoolResult => {
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

export async function cmdReproduce(values: Values): Promise<number> {
  const c0 = common(values);
  const mode = updateMode(values);
  const shard = parseShard(values.shard);
  const backendChoice = oneOf('backend', values.backend, BACKEND_CHOICES, 'auto') as BackendChoice;
  checkData(c0.specs); // every dataset and network problem surfaces before anything is written
  await checkInputs(c0.ws, c0.specs, c0.all, { goldens: mode !== 'all' }); // and every golden, claims or figures problem
  let backend = await selectBackend(backendChoice, { tfThreads: tfThreadsFor(backendChoice, values) });
  // results are filed by the backend that actually trains (auto may become tensorflow-gpu)
  const c: Common = { ...c0, ws: backend.name === 'wasm' ? { root: c0.ws.root } : { root: c0.ws.root, backend: backend.name } };
  const env = runEnvFor(backend);
  let plan = planWithCopies(c, env, !!values.force, shard);
  const toTrain = plan.filter((p) => p.decision.action === 'train' || p.decision.action === 'resume').length;
  const jobsGiven = values.jobs !== undefined && values.jobs !== 'auto';
  // auto: a single run gets both cores' worth of kernel threads; several runs go side by side instead
  const autoThreads = !jobsGiven && toTrain === 1 && availableParallelism() >= 2 ? 2 : 1;
  backend = await applyThreads(backend, values.threads, autoThreads);
  const jobs = parseJobs(values.jobs, backend, toTrain);
  process.stdout.write(`normreg reproduce: ${plan.length} experiment(s)${shard ? ` (shard ${shard.index}/${shard.total} of ${c.specs.length})` : ''}, profile ${c.profile}, backend ${backend.name}${backend.kernels.length ? ` (kernels: ${backend.kernels.join(', ')})` : ''}, jobs ${jobs}${backend.name === 'wasm' ? `, threads ${backend.threads}` : ''}${backend.tensorflow ? ` (TensorFlow ${backend.tensorflow.version}, ${backend.tensorflow.intraOpThreads} intra-op / ${backend.tensorflow.interOpThreads} inter-op thread(s) per run)` : ''}${backend.webgpu ? ` (adapter: ${describeAdapter(backend.webgpu.adapter)})` : ''}\n`);
  process.stdout.write(`${await estimateLine(c.ws, plan, backend, jobs)}\n`);
  if (values.dry) {
    printPlan(plan, process.stdout);
    return 0;
  }
  const release = await lockWorkspace(c, values, 'reproduce');
  const intr = interruptHandler(false);
  try {
    // plan again under the lock: a command we waited for may have produced some of these results
    plan = planWithCopies(c, env, !!values.force, shard);
    printPlan(plan, process.stdout);
    const todo = plan.filter((p) => p.decision.action === 'train' || p.decision.action === 'resume');
    const copies = plan.filter((p) => p.decision.action === 'copy').length;
    const t0 = performance.now();
    let results: PoolResult[];
    if (jobs <= 1 || todo.length <= 1) results = await runInProcess(c.ws, todo, backend, intr.signal);
    else {
      const board = createWorkerBoard(process.stdout, Math.min(jobs, todo.length));
      results = await runPool(todo.map((p) => ({ name: p.spec.name, args: workerArgs(c, values, backend, p.spec.name) })), jobs, {
        cwd: c.ws.root, signal: intr.signal, onStart: board.start, onEvent: board.event,
      });
      board.finish();
    }
    results = [...results, ...(intr.signal.aborted
      ? plan.filter((p) => p.decision.action === 'copy').map((p): PoolResult => ({ name: p.spec.name, status: 'not-started', exitCode: null }))
      : writeCopies(c, plan, results))];
    const failed = results.filter((r) => r.status === 'failed');
    const stopped = results.filter((r) => r.status === 'interrupted' || r.status === 'not-started');
    const trainedNames = new Set(todo.map((p) => p.spec.name));
    process.stdout.write(`trained ${results.filter((r) => r.status === 'ok' && trainedNames.has(r.name)).length}, ${copies ? `copied ${results.filter((r) => r.status === 'ok' && !trainedNames.has(r.name)).length}, ` : ''}cached ${plan.length - todo.length - copies}, failed ${failed.length} in ${((performance.now() - t0) / 1000).toFixed(1)}s\n`);
    for (const f of failed) process.stdout.write(`FAILED  ${f.name}: ${f.error}\n`);
    if (intr.signal.aborted) {
      process.stdout.write(`interrupted: ${stopped.map((r) => r.name).join(', ') || 'nothing'} not finished; run the same command again to resume from the last completed epoch\n`);
      return EXIT_INTERRUPTED;
    }
    const failedNames = new Set(failed.map((f) => f.name));
    const done = plan.filter((p) => !failedNames.has(p.spec.name)).map((p) => p.spec);
    const complete = !c.filtered && !shard && failed.length === 0;
    let ok: boolean;
    if (shard) {
      const outcome = verifyAll(c.ws, done, mode, { checkObsolete: false });
      printVerify(outcome, process.stdout);
      const file = writeShardManifest(c.ws, shardManifestFor(c.profile, shard, c.specs, env.code, plan, outcome, backend.name, selectionOf(values)));
      process.stdout.write(`shard ${shard.index}/${shard.total}: manifest ${relative(c.ws.root, file)}; merge the shards with \`normreg merge\`\n`);
      ok = outcome.ok;
    } else ok = await verifyAndReport({ ...c, specs: done }, mode, complete);
    if (failed.length) return 2;
    return ok ? 0 : 1;
  } finally {
    intr.dispose();
    release();
  }
}
