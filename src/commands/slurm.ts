/** normreg slurm: submit the selection as a SLURM array job (one task per shard) and a dependent
 * merge job; --dry prints the scripts and each shard's plan; --wait follows the jobs to the end. */
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RunError, problem } from '../errors.js';
import { BACKEND_CHOICES, selectBackend, type BackendChoice } from '../engine/backend.js';
import { runEnvFor } from '../run/orchestrate.js';
import { formatDuration } from '../plan/estimate.js';
import { checkData } from '../run/runSpec.js';
import { common, oneOf, type Values } from './args.js';
import { tfThreadsFor } from './reproduce.js';
import { printPlan } from './print.js';
import { formatSlurmTime, logDir, renderArrayScript, renderMergeScript, timeLimitMinutes, type SlurmJob } from '../slurm/script.js';
import { estimateShards, planShards, runFolder } from '../slurm/plan.js';
import { finalStates, prepareRunDir, queued, readJobs, readRc, sbatch, writeJobs, writeScripts } from '../slurm/submit.js';
import { decideVerdict } from '../slurm/verdict.js';
import { parseSlurmFlags, runSlug } from '../slurm/flags.js';

const BIN = fileURLToPath(new URL('../../bin/normreg.js', import.meta.url));

export async function cmdSlurm(values: Values, argv: string[]): Promise<number> {
  const f = parseSlurmFlags(values);
  const c = common(values);
  const choice = oneOf('backend', values.backend, BACKEND_CHOICES, 'auto') as BackendChoice;
  checkData(c.specs);
  const backend = await selectBackend(choice, { tfThreads: tfThreadsFor(choice, values) });
  const ws = backend.name === 'wasm' ? { root: c.ws.root } : { root: c.ws.root, backend: backend.name };
  const runDir = runFolder(ws, runSlug(c.profile, backend.name, values, f.shards));
  const show = (p: string) => relative(process.cwd(), p) || p;

  const shards = planShards(ws, runDir, c.specs, runEnvFor(backend), f.shards);
  const est = await estimateShards(ws, shards, backend, f.cpusPerTask);
  const timeMinutes = f.timeMinutes ?? (est.times ? timeLimitMinutes(est.times.longest) : 10);
  const job: SlurmJob = {
    profile: c.profile, shards: f.shards, root: c.ws.root, runDir, node: process.execPath, bin: BIN,
    jobName: `normreg-${c.profile}`, timeMinutes, cpusPerTask: f.cpusPerTask, partition: f.partition, sbatchArgs: f.sbatchArgs,
    signalSeconds: f.signalSeconds,
    selectionArgs: [
      ...(values.only ? ['--only', values.only] : []), ...(values.seeds ? ['--seeds', values.seeds] : []),
      ...(values.backend ? ['--backend', values.backend] : []), ...(values.specs ? ['--specs', resolve(values.specs)] : []),
      '--jobs', String(f.cpusPerTask), ...(backend.name === 'wasm' || backend.name === 'cpu' ? ['--threads', '1'] : []),
    ],
    mergeArgs: values.specs ? ['--specs', resolve(values.specs)] : [],
  };
  const scripts = { shards: renderArrayScript(job), merge: renderMergeScript(job) };

  const out = process.stdout;
  out.write(`normreg slurm: ${c.specs.length} run(s) of profile ${c.profile} in ${f.shards} shard(s), backend ${backend.name}; folder ${show(runDir)}\n`);
  for (const s of shards) {
    const t = est.times?.shards[s.index - 1];
    const todo = s.plan.filter((p) => p.decision.action === 'train' || p.decision.action === 'resume').length;
    out.write(`shard ${s.index}: ${s.plan.length} run(s), ${todo} to train${t ? `, about ${formatDuration(t.seconds)}` : ''}\n`);
    if (values.dry) printPlan(s.plan, out);
  }
  if (est.times) out.write(`expected longest shard: ${formatDuration(est.times.longest)}, mean ${formatDuration(est.times.mean)} (max/mean ${(est.times.mean ? est.times.longest / est.times.mean : 1).toFixed(2)}; ${est.basis})\n`);
  else out.write(`expected longest shard: unknown (${est.basis})\n`);
  out.write(`time limit per task: ${formatSlurmTime(timeMinutes)}${f.timeMinutes === undefined ? (est.times ? ' (the longest shard x 1.5 + 5 min)' : ' (default)') : ' (--time)'}\n`);
  if (values.dry) {
    out.write(`\n--- ${show(runDir)}/shards.sbatch\n${scripts.shards}\n--- ${show(runDir)}/merge.sbatch\n${scripts.merge}\ndry run: nothing submitted\n`);
    return 0;
  }

  // two submissions into one folder would share each shard's results: refused while one is queued
  const prev = readJobs(runDir);
  if (prev) {
    const live = await queued([prev.array, prev.merge]);
    if (live.length) throw new RunError('RUN', [problem(show(runDir), '', `already submitted: job(s) ${[...new Set(live.map((l) => l.arrayJob))].join(', ')} still ${[...new Set(live.map((l) => l.state))].join('/')} for this folder`, `wait for them (squeue -j ${prev.array},${prev.merge}) or cancel them (scancel ${prev.array} ${prev.merge}), then submit again`)]);
  }
  prepareRunDir(c.ws.root, runDir, f.shards);
  const files = writeScripts(runDir, scripts);
  const array = await sbatch(files.shards);
  const merge = await sbatch(files.merge, [`--dependency=afterok:${array}`]);
  const command = `npx normreg ${argv.filter((a) => a !== '--wait').join(' ')}`;
  writeJobs(runDir, { array, merge, submittedAt: new Date().toISOString(), command });
  out.write(`submitted: array job ${array} (${f.shards} task(s)), merge job ${merge} (afterok:${array})\n`);
  out.write(`logs: ${show(logDir(runDir))}/shard-<I>.out, ${show(logDir(runDir))}/merge.out\n`);
  out.write(`watch: squeue -j ${array},${merge}\n       sacct -j ${array},${merge} -o JobID,State,Elapsed,ExitCode   (with accounting; else scontrol show job ${array})\n`);
  out.write(`results: each shard in ${show(runDir)}/shard-<I>/results/, merged into ${show(join(c.ws.root, "results"))}/ by job ${merge}\n`);
  if (!values.wait) return 0;
  return waitFor(runDir, f.shards, array, merge, command, f.pollMs);
}

async function waitFor(runDir: string, shards: number, array: string, merge: string, command: string, pollMs: number): Promise<number> {
  let last = '';
  for (;;) {
    const live = await queued([array, merge]);
    const line = live.map((l) => `${l.arrayJob === array ? `shard ${l.task === 'N/A' ? '?' : l.task}` : 'merge'} ${l.state}${l.reason && l.reason !== 'None' ? ` (${l.reason})` : ''}`).sort().join(', ');
    if (line !== last && line) process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
    last = line;
    if (!live.length) break;
    await new Promise((r) => setTimeout(r, pollMs));
  }
  const v = decideVerdict({
    shardRc: Array.from({ length: shards }, (_, i) => readRc(runDir, `shard-${i + 1}`)),
    mergeRc: readRc(runDir, 'merge'),
    states: await finalStates([array, merge]),
  }, command);
  for (const l of v.lines) process.stdout.write(`${l}\n`);
  return v.code;
}


