/** normreg command line: parses arguments, calls the core, prints. Exit codes: 0 ok, 1 results
 * outside tolerance (or stale report), 2 usage / spec / file errors. */
import { parseArgs } from 'node:util';
import { resolve, relative } from 'node:path';
import { NormregError, UsageError, formatProblem } from './errors.js';
import { listSpecFiles, loadSpecs, parseSeeds } from './spec/load.js';
import { PROFILES, type Profile, type ResolvedSpec } from './spec/types.js';
import { BACKEND_CHOICES, parseThreads, selectBackend, setBackendThreads, type BackendChoice } from './engine/backend.js';
import { UPDATE_MODES, defaultUpdateMode, isCi, type UpdateMode } from './verify/update.js';
import { verifyAll, type VerifyOutcome } from './verify/verify.js';
import { collectRows, renderReport, TABLE_SECTION, writeReadmeTable } from './report/report.js';
import { jsonRows } from './report/table.js';
import { evaluateClaims, loadClaims } from './report/claims.js';
import { checkData, executeRun, loadDatasetFor } from './run/runSpec.js';
import { createProgress, createWorkerBoard } from './run/progress.js';
import { planRuns, type PlannedRun, type RunEnv } from './run/cache.js';
import { formatReason } from './plan/plan.js';
import { codeHash } from './plan/codeHash.js';
import { acquireLock } from './run/lock.js';
import { EXIT_INTERRUPTED, runPool, type PoolResult } from './run/pool.js';
import { inShard, parseShard } from './run/shard.js';
import { readManifests, shardManifestFor, writeShardManifest, copyShardResults, mergePlanFingerprint } from './run/merge.js';
import { TrainInterrupted } from './train/loop.js';
import { availableParallelism } from 'node:os';
import type { BackendInfo } from './engine/backend.js';
import type { Workspace } from './result/files.js';
import { FigureError } from './report/figureError.js';
import { drawFigures } from './report/drawFigures.js';
import { staleReportFigures, verifyFigures, writeReportFigures, type FigureVerdict } from './verify/figures.js';
import { loadResultsFor } from './verify/verify.js';

const HELP = `normreg: reproduce "Normalization and Regularization on MNIST" from declarative specs

Usage: normreg <command> [options]

Commands:
  validate [FILE...]      check spec files and their datasets and networks (default: specs/*.json); exit 0 valid, 2 invalid
  list                    list the experiments the specs declare
  reproduce               train, then verify against goldens, then regenerate the report
  verify                  compare stored results with goldens (no training); checks README is current
  report                  regenerate the README results table from stored results (or goldens)
  merge [DIR...]          combine the results of \`reproduce --shard\` runs, then verify and report
  bench                   training-speed benchmark (see README); --compare-pytorch [--python P]
                          [--rounds N] alternates with the study's PyTorch and prints ratios

Options:
  --profile full|smoke    which profile (default full)
  --only NAME,...         restrict to these experiments (a spec, a sweep, or one run)
  --seeds LIST            run every selected experiment under these seeds: 1,2,3 or 1-5
  --backend B             auto|tensorflow-gpu|tensorflow|wasm|cpu (default auto)
  --update none|new|all   golden update mode (default: none under CI=true, else new)
  --json                  (report) print the table rows as JSON
  --jobs N, -j N          (reproduce) parallel runs, one child process each (default: cores / threads per run)
  --threads 1|2|auto      (reproduce, bench) wasm kernel threads per run; results are the same bytes
                          either way (default auto: 2 when one run trains, else 1; bench: 2)
  --force                 (reproduce) re-train even where the stored result is current
  --dry                   (reproduce) print the plan and why each run is (not) re-run; train nothing
  --shard I/N             (reproduce) run only the I-th of N deterministic parts of the plan
  --no-wait               refuse instead of waiting when another command holds the workspace lock
  --specs DIR             spec directory (default: specs)
  -h, --help              this help

Exit codes: 0 success, 1 results outside tolerance, 2 usage/spec/file error.`;

interface Common {
  ws: Workspace;
  profile: Profile;
  specs: ResolvedSpec[];
  filtered: boolean;
}

function parse(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        profile: { type: 'string' }, only: { type: 'string' }, backend: { type: 'string' }, update: { type: 'string' },
        json: { type: 'boolean' }, specs: { type: 'string' }, help: { type: 'boolean', short: 'h' },
        steps: { type: 'string' }, 'epoch-images': { type: 'string' }, norms: { type: 'string' }, modes: { type: 'string' },
        'compare-pytorch': { type: 'boolean' }, python: { type: 'string' }, rounds: { type: 'string' },
        jobs: { type: 'string', short: 'j' }, force: { type: 'boolean' }, dry: { type: 'boolean' }, shard: { type: 'string' },
        'no-wait': { type: 'boolean' }, seeds: { type: 'string' }, threads: { type: 'string' },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message, 'see `normreg --help`');
  }
}

function oneOf<T extends string>(flag: string, value: string | undefined, choices: readonly T[], dflt: T): T {
  if (value === undefined) return dflt;
  if (!(choices as readonly string[]).includes(value)) throw new UsageError(`--${flag} must be one of ${choices.join(', ')} (got '${value}')`);
  return value as T;
}

function common(values: ReturnType<typeof parse>['values'], files?: string[]): Common {
  const ws = { root: process.cwd() };
  const profile = oneOf('profile', values.profile, PROFILES, 'full');
  let seeds: number[] | undefined;
  if (values.seeds !== undefined) {
    const parsed = parseSeeds(values.seeds);
    if (!parsed) throw new UsageError(`--seeds must be a list or range of seeds like 1,2,3 or 1-5 (got '${values.seeds}')`);
    seeds = parsed;
  }
  const specFiles = files && files.length ? files.map((f) => resolve(f)) : listSpecFiles(resolve(values.specs ?? 'specs'));
  let specs = loadSpecs(specFiles, profile, seeds);
  let filtered = seeds !== undefined;
  if (values.only) {
    // a run's name, its group (all its seeds) or a sweep's name (all its runs)
    const wanted = values.only.split(',').map((s) => s.trim()).filter(Boolean);
    const matches = (s: ResolvedSpec, w: string) => s.name === w || s.group === w || s.sweep?.name === w;
    const unknown = wanted.filter((w) => !specs.some((s) => matches(s, w)));
    if (unknown.length) {
      const known = [...new Set(specs.map((s) => s.sweep?.name ?? s.group))];
      throw new UsageError(`--only: no experiment named ${unknown.map((u) => `'${u}'`).join(', ')}`, `known: ${known.join(', ')} (or a single run's name, see \`normreg list\`)`);
    }
    specs = specs.filter((s) => wanted.some((w) => matches(s, w)));
    filtered = true;
  }
  return { ws, profile, specs, filtered };
}

function updateMode(values: ReturnType<typeof parse>['values']): UpdateMode {
  const mode = oneOf('update', values.update, UPDATE_MODES, defaultUpdateMode(process.env));
  if (isCi(process.env) && mode !== 'none') throw new UsageError(`--update ${mode} is refused under CI=true: CI never writes goldens`, 'update goldens locally and commit them');
  return mode;
}

function printVerify(o: VerifyOutcome, out: NodeJS.WriteStream): void {
  for (const v of o.verdicts) {
    if (v.status === 'pass') out.write(`ok      ${v.name}: matches ${v.golden}\n`);
    else if (v.status === 'written') out.write(`written ${v.name}: ${v.previous ? 'updated' : 'new'} golden ${v.golden}\n`);
    else if (v.status === 'missing-golden') out.write(`FAIL    ${v.name}: no golden ${v.golden} (run with --update new to create it, then commit it)\n`);
    else if (v.status === 'no-result') out.write(`skip    ${v.name}: no result ${v.golden} (not compared; \`npx normreg reproduce --profile ${o.profile} --only ${v.name}\` makes it)\n`);
    else {
      out.write(`FAIL    ${v.name}: ${v.differences.length} difference(s) from ${v.golden}\n`);
      for (const d of v.differences.slice(0, 12))
        out.write(`          ${d.pointer}: got ${JSON.stringify(d.actual)}, golden ${JSON.stringify(d.expected)} (${d.reason})\n`);
      if (v.differences.length > 12) out.write(`          ... ${v.differences.length - 12} more\n`);
      out.write(v.diff.split('\n').map((l) => `          ${l}`).join('\n') + '\n');
    }
  }
  for (const f of o.obsolete) out.write(`obsolete ${f}: no spec checks this golden (delete it if the experiment is gone)\n`);
  if (o.readmeStale) out.write(`FAIL    README.md: the ${o.profile} results table is stale (run \`npx normreg report --profile ${o.profile}\`)\n`);
  const failed = o.verdicts.filter((v) => v.status === 'fail' || v.status === 'missing-golden').length;
  const skipped = o.verdicts.filter((v) => v.status === 'no-result').length;
  const ok = o.verdicts.length - failed - skipped;
  out.write(`verify ${o.profile}: ${ok} ok, ${failed + (o.readmeStale ? 1 : 0)} failed${skipped ? `, ${skipped} without result` : ''}${o.obsolete.length ? `, ${o.obsolete.length} obsolete golden(s)` : ''}\n`);
}

function printFigures(verdicts: FigureVerdict[], stale: string[], out: NodeJS.WriteStream): number {
  let failed = 0;
  for (const v of verdicts) {
    if (v.status === 'pass') out.write(`ok      figure ${v.file}: matches ${v.golden}\n`);
    else if (v.status === 'written') out.write(`written figure ${v.file}: ${v.golden}\n`);
    else if (v.status === 'missing-golden') {
      failed++;
      out.write(`FAIL    figure ${v.file}: no golden ${v.golden} (run with --update new, then commit it)\n`);
    } else if (v.status === 'fail') {
      failed++;
      out.write(`FAIL    figure ${v.file}: ${v.sizeMismatch ? 'size differs' : `${v.diffPixels} pixel(s) differ`} from ${v.golden}${v.diffImage ? `; diff image: ${v.diffImage}` : ''}\n`);
    }
  }
  for (const f of stale) {
    failed++;
    out.write(`FAIL    ${f}: stale (the results draw a different figure; run \`npx normreg report\`)\n`);
  }
  return failed;
}

async function checkFigures(c: Common, mode: UpdateMode, checkStale: boolean): Promise<number> {
  const results = loadResultsFor(c.ws, c.specs);
  const payloads = results.filter((r): r is NonNullable<typeof r> => r !== null);
  if (payloads.length === 0) return 0;
  const drawn = await drawFigures(c.ws.root, c.specs, payloads, c.filtered || payloads.length < results.length);
  const verdicts = verifyFigures(c.ws.root, c.profile, payloads[0].backend, drawn, mode);
  return printFigures(verdicts, checkStale ? staleReportFigures(c.ws.root, c.profile, drawn) : [], process.stdout);
}

async function writeReport(c: Common, collected = collectRows(c.ws, c.specs)): Promise<{ rows: number; figures: number; readme: boolean }> {
  const drawn = await drawFigures(c.ws.root, c.specs, collected.payloads, collected.pending.length > 0);
  const figures = writeReportFigures(c.ws.root, c.profile, drawn);
  const readme = writeReadmeTable(c.ws, c.profile, renderReport(c.ws, c.profile, collected));
  return { rows: collected.rows.length, figures, readme };
}

function tableBody(c: Common) {
  const collected = collectRows(c.ws, c.specs);
  return { collected, body: renderReport(c.ws, c.profile, collected) };
}

/** Verify results against goldens; for a complete plan also the report: written where goldens may
 * be written, only checked (README table, report figures) under --update none, as in CI. */
async function verifyAndReport(c: Common, mode: UpdateMode, complete: boolean): Promise<boolean> {
  const write = complete && mode !== 'none';
  const expected = complete && !write ? { section: TABLE_SECTION(c.profile), body: tableBody(c).body } : undefined;
  const outcome = verifyAll(c.ws, c.specs, mode, { checkObsolete: complete, expectedReadmeSection: expected });
  printVerify(outcome, process.stdout);
  const figFailed = await checkFigures(c, mode, complete && !write);
  if (write) {
    const r = await writeReport(c);
    process.stdout.write(`report: README.md ${r.readme ? 'updated' : 'current'}, ${r.figures} figure(s) redrawn in reports/${c.profile}/\n`);
  }
  return outcome.ok && figFailed === 0;
}

function runEnvFor(backend: BackendInfo): RunEnv {
  return {
    datasetSha256: (s) => loadDatasetFor(s).sha256,
    backend: backend.name,
    versions: { ...backend.versions, kernels: backend.kernels.join(',') || 'stock' },
    code: codeHash(),
  };
}

function parseJobs(text: string | undefined, backend: BackendInfo, runs: number): number {
  if (text !== undefined && text !== 'auto') {
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`--jobs must be a positive integer or 'auto' (got '${text}')`);
    return n;
  }
  // native TensorFlow backends use every core (and the GPU) already: one run at a time
  const perRun = backend.threads > 0 ? backend.threads : availableParallelism();
  return Math.max(1, Math.min(runs, Math.floor(availableParallelism() / perRun)));
}

/** First Ctrl-C (or SIGTERM): stop at the next step boundary, keeping checkpoints; second: quit now. */
function interruptHandler(quiet: boolean) {
  const ac = new AbortController();
  const onSignal = () => {
    if (ac.signal.aborted) process.exit(EXIT_INTERRUPTED);
    if (!quiet) process.stderr.write('\nnormreg: stopping at the next step; checkpoints are kept (Ctrl-C again to quit now)\n');
    ac.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return { signal: ac.signal, dispose: () => { process.off('SIGINT', onSignal); process.off('SIGTERM', onSignal); } };
}

function printPlan(plan: PlannedRun[], out: NodeJS.WriteStream): void {
  for (const p of plan) out.write(`${p.decision.action.padEnd(7)} ${p.spec.name}: ${p.decision.reasons.map(formatReason).join('; ')}\n`);
}

function workerArgs(c: Common, values: ReturnType<typeof parse>['values'], backend: BackendInfo, name: string): string[] {
  return ['worker', '--profile', c.profile, '--backend', backend.name, '--threads', String(Math.max(1, backend.threads)), '--only', name, ...(values.specs ? ['--specs', values.specs] : []), ...(values.seeds ? ['--seeds', values.seeds] : []), ...(values.force ? ['--force'] : [])];
}

async function cmdReproduce(values: ReturnType<typeof parse>['values']): Promise<number> {
  const c = common(values);
  const mode = updateMode(values);
  const shard = parseShard(values.shard);
  const backendChoice = oneOf('backend', values.backend, BACKEND_CHOICES, 'auto') as BackendChoice;
  checkData(c.specs); // every dataset and network problem surfaces before anything is written
  let backend = await selectBackend(backendChoice);
  const env = runEnvFor(backend);
  let plan = inShard(planRuns(c.ws, c.specs, env, !!values.force), shard);
  const toTrain = plan.filter((p) => p.decision.action !== 'cached').length;
  const jobsGiven = values.jobs !== undefined && values.jobs !== 'auto';
  // auto: a single run gets both cores' worth of kernel threads; several runs go side by side instead
  const autoThreads = !jobsGiven && toTrain === 1 && availableParallelism() >= 2 ? 2 : 1;
  backend = await setBackendThreads(backend, parseThreads(values.threads, autoThreads));
  const jobs = parseJobs(values.jobs, backend, toTrain);
  process.stdout.write(`normreg reproduce: ${plan.length} experiment(s)${shard ? ` (shard ${shard.index}/${shard.total} of ${c.specs.length})` : ''}, profile ${c.profile}, backend ${backend.name}${backend.kernels.length ? ` (kernels: ${backend.kernels.join(', ')})` : ''}, jobs ${jobs}${backend.name === 'wasm' ? `, threads ${backend.threads}` : ''}\n`);
  if (values.dry) {
    printPlan(plan, process.stdout);
    return 0;
  }
  const release = await lockWorkspace(c, values, 'reproduce');
  const intr = interruptHandler(false);
  try {
    // plan again under the lock: a command we waited for may have produced some of these results
    plan = inShard(planRuns(c.ws, c.specs, env, !!values.force), shard);
    printPlan(plan, process.stdout);
    const todo = plan.filter((p) => p.decision.action !== 'cached');
    const t0 = performance.now();
    let results: PoolResult[];
    if (jobs <= 1 || todo.length <= 1) results = await runInProcess(c, todo, backend, intr.signal);
    else {
      const board = createWorkerBoard(process.stdout, Math.min(jobs, todo.length));
      results = await runPool(todo.map((p) => ({ name: p.spec.name, args: workerArgs(c, values, backend, p.spec.name) })), jobs, {
        cwd: c.ws.root, signal: intr.signal, onStart: board.start, onEvent: board.event,
      });
      board.finish();
    }
    const failed = results.filter((r) => r.status === 'failed');
    const stopped = results.filter((r) => r.status === 'interrupted' || r.status === 'not-started');
    process.stdout.write(`trained ${results.filter((r) => r.status === 'ok').length}, cached ${plan.length - todo.length}, failed ${failed.length} in ${((performance.now() - t0) / 1000).toFixed(1)}s\n`);
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
      const file = writeShardManifest(c.ws, shardManifestFor(c.profile, shard, c.specs, env.code, plan, outcome, backend.name));
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

async function runInProcess(c: Common, todo: PlannedRun[], backend: BackendInfo, signal: AbortSignal): Promise<PoolResult[]> {
  const results: PoolResult[] = todo.map((p) => ({ name: p.spec.name, status: 'not-started', exitCode: null }));
  for (let i = 0; i < todo.length && !signal.aborted; i++) {
    const p = todo[i];
    try {
      const { facts } = await executeRun(c.ws, p, backend, { onProgress: createProgress(p.spec.name, process.stdout), signal });
      process.stdout.write(`${p.spec.name}: done in ${facts.wallSeconds.toFixed(1)}s (${facts.imagesPerSec.toFixed(0)} img/s)${facts.resumedFromEpoch ? `, resumed after epoch ${facts.resumedFromEpoch}` : ''}\n`);
      results[i] = { name: p.spec.name, status: 'ok', exitCode: 0 };
    } catch (e) {
      if (e instanceof TrainInterrupted) results[i] = { name: p.spec.name, status: 'interrupted', exitCode: EXIT_INTERRUPTED };
      else results[i] = { name: p.spec.name, status: 'failed', exitCode: 2, error: e instanceof NormregError ? e.problems.map(formatProblem).join('; ') : String((e as Error)?.stack ?? e) };
    }
  }
  return results;
}

/** Internal: one run in a child process of `reproduce --jobs`; progress as JSON lines on stdout. */
async function cmdWorker(values: ReturnType<typeof parse>['values']): Promise<number> {
  const all = common(values);
  const c = { ...all, specs: all.specs.filter((s) => s.name === values.only) };
  if (c.specs.length !== 1) throw new UsageError('worker runs exactly one run (--only RUN-NAME)');
  const selected = await selectBackend(oneOf('backend', values.backend, BACKEND_CHOICES, 'auto') as BackendChoice);
  const backend = await setBackendThreads(selected, parseThreads(values.threads, 1));
  const [run] = planRuns(c.ws, c.specs, runEnvFor(backend), !!values.force);
  const emit = (e: object) => process.stdout.write(JSON.stringify(e) + '\n');
  const intr = interruptHandler(true);
  let last = 0;
  try {
    const { facts } = await executeRun(c.ws, run, backend, {
      signal: intr.signal,
      onProgress: (p) => {
        if (!p.metrics && performance.now() - last < 250) return;
        last = performance.now();
        emit({ type: 'progress', name: run.spec.name, epoch: p.epoch, epochs: p.epochs, step: p.step, steps: p.steps, metrics: p.metrics });
      },
    });
    emit({ type: 'done', name: run.spec.name, wallSeconds: facts.wallSeconds, imagesPerSec: facts.imagesPerSec, resumedFromEpoch: facts.resumedFromEpoch });
    return 0;
  } catch (e) {
    if (e instanceof TrainInterrupted) return EXIT_INTERRUPTED;
    throw e;
  } finally {
    intr.dispose();
  }
}

async function cmdMerge(values: ReturnType<typeof parse>['values'], dirs: string[]): Promise<number> {
  const c = common(values);
  if (c.filtered) throw new UsageError('merge combines whole sharded runs; --only does not apply');
  const mode = updateMode(values);
  const release = await lockWorkspace(c, values, 'merge');
  try {
    const manifests = readManifests(c.ws, c.profile, dirs);
    const copied = copyShardResults(c.ws, c.profile, manifests, mergePlanFingerprint(c.specs, codeHash()), c.specs.map((s) => s.name));
    process.stdout.write(`merge ${c.profile}: ${manifests.length} shard(s), ${copied} run(s)\n`);
    return (await verifyAndReport(c, mode, true)) ? 0 : 1;
  } finally {
    release();
  }
}

async function cmdVerify(values: ReturnType<typeof parse>['values']): Promise<number> {
  const c = common(values);
  const mode = values.update === undefined ? 'none' : updateMode(values);
  // comparing only reads; writing goldens (--update) takes the workspace lock like reproduce
  const release = mode === 'none' ? () => {} : await lockWorkspace(c, values, 'verify');
  try {
    const expected = c.filtered ? undefined : { section: TABLE_SECTION(c.profile), body: tableBody(c).body };
    const outcome = verifyAll(c.ws, c.specs, mode, { checkObsolete: !c.filtered, expectedReadmeSection: expected });
    printVerify(outcome, process.stdout);
    const figFailed = await checkFigures(c, mode, !c.filtered);
    return outcome.ok && figFailed === 0 ? 0 : 1;
  } finally {
    release();
  }
}

function lockWorkspace(c: Common, values: ReturnType<typeof parse>['values'], command: string): Promise<() => void> {
  return acquireLock(c.ws, {
    wait: !values['no-wait'], command,
    onWait: (o) => process.stdout.write(`waiting: the workspace is locked by normreg ${o.command} (pid ${o.pid}, since ${o.startedAt})\n`),
    onStale: (o) => process.stdout.write(`note: took over a stale lock of pid ${o.pid} (that process is gone)\n`),
  });
}

async function cmdReport(values: ReturnType<typeof parse>['values']): Promise<number> {
  const c = common(values);
  const { collected, body } = tableBody(c);
  if (values.json) {
    const claims = evaluateClaims(loadClaims(c.ws.root), collected.rows);
    process.stdout.write(JSON.stringify({ profile: c.profile, rows: jsonRows(collected.rows), pending: collected.pending, claims }, null, 2) + '\n');
    return 0;
  }
  const release = await lockWorkspace(c, values, 'report');
  try {
    const r = await writeReport(c, collected);
    process.stdout.write(`${body}\n\nREADME.md ${r.readme ? 'updated' : 'already current'} (${r.rows} row(s), profile ${c.profile}); ${r.figures} figure(s) redrawn in reports/${c.profile}/\n`);
    return 0;
  } finally {
    release();
  }
}

function cmdValidate(values: ReturnType<typeof parse>['values'], files: string[]): number {
  const c = common(values, files);
  checkData(c.specs);
  const byFile = new Map<string, ResolvedSpec[]>();
  for (const s of c.specs) byFile.set(s.file, [...(byFile.get(s.file) ?? []), s]);
  for (const [file, runs] of byFile) process.stdout.write(`valid   ${relative(process.cwd(), file)} (${runs.length === 1 ? runs[0].name : `${runs.length} runs`})\n`);
  return 0;
}

function cmdList(values: ReturnType<typeof parse>['values']): number {
  const c = common(values);
  for (const s of c.specs) {
    const t = s.training;
    process.stdout.write(`${s.name.padEnd(18)} ${s.title.padEnd(26)} norm=${s.model.norm}${s.model.norm === 'group' ? `(${s.model.groups[0]}/${s.model.groups[1]})` : ''} l1=${t.l1} l2=${t.weightDecay} epochs=${t.epochs} batch=${t.batchSize} seed=${s.seed}\n`);
  }
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv);
  const [cmd, ...rest] = positionals;
  if (values.help || !cmd) {
    process.stdout.write(HELP + '\n');
    return cmd || values.help ? 0 : 2;
  }
  switch (cmd) {
    case 'validate': return cmdValidate(values, rest);
    case 'list': return cmdList(values);
    case 'reproduce': return cmdReproduce(values);
    case 'verify': return cmdVerify(values);
    case 'report': return cmdReport(values);
    case 'merge': return cmdMerge(values, rest);
    case 'worker': return cmdWorker(values);
    case 'bench': {
      const { runBench } = await import('./run/bench.js');
      return runBench(values);
    }
    default:
      throw new UsageError(`unknown command '${cmd}'`, 'see `normreg --help`');
  }
}

export async function runCli(argv: string[]): Promise<void> {
  let code: number;
  try {
    code = await main(argv);
  } catch (e) {
    if (e instanceof NormregError) {
      process.stderr.write(`normreg: ${e.problems.length > 1 ? `${e.problems.length} problems:\n  ` : ''}${e.problems.map(formatProblem).join('\n  ')}\n`);
      code = 2;
    } else if (e instanceof FigureError) {
      process.stderr.write(`normreg: ${e.message}\n`);
      code = 2;
    } else {
      process.stderr.write(`normreg: internal error: ${(e as Error)?.stack ?? String(e)}\n`);
      code = 2;
    }
  }
  // tfjs-backend-wasm installs process-wide exception handlers; exit explicitly with our code.
  process.exitCode = code;
  process.exit(code);
}
