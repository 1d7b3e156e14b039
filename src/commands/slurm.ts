/** normreg slurm: submit the selection as a SLURM array job (one task per shard) and a dependent
 * merge job; --dry prints the scripts and each shard's plan; --wait follows the jobs to the end. */
import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../errors.js';
import { BACKEND_CHOICES, selectBackend, type BackendChoice } from '../engine/backend.js';
import { runEnvFor } from '../plan/env.js';
import { checkData } from '../data/check.js';
import { renderShardPlans, renderSubmitted } from '../slurm/report.js';
import { renderArrayScript, renderMergeScript, timeLimitMinutes, warningSeconds, type SlurmJob } from '../slurm/script.js';
import { estimateShards, planShards, runSlug } from '../slurm/plan.js';
import { follow, submit } from '../slurm/submit.js';
import { resultsRoot, slurmLogDir, slurmRunDir } from '../workspace/paths.js';
import { common, type Values } from './args.js';
import { oneOf, positiveInt, slurmTime, tfThreadsFor } from './flags.js';

const BIN = fileURLToPath(new URL('../../bin/normreg.js', import.meta.url));

/** The flags of `normreg slurm`, checked. */
export function parseSlurmFlags(values: Values) {
  if (values.shards === undefined) throw new UsageError('--shards is required', 'for example --shards 12');
  const shards = positiveInt('shards', values.shards, 1);
  const timeMinutes = slurmTime('time', values.time);
  const cpusPerTask = positiveInt('cpus-per-task', values['cpus-per-task'], 1);
  if (values.partition !== undefined && !/^[A-Za-z0-9_.,-]+$/.test(values.partition)) throw new UsageError(`--partition must be a partition name (got '${values.partition}')`, 'see `sinfo -s` for the partitions');
  const sbatchArgs = values['sbatch-arg'] ?? [];
  for (const a of sbatchArgs)
    if (!a.startsWith('-') || /[\n\r]/.test(a)) throw new UsageError(`--sbatch-arg must be one sbatch option starting with '-', on one line (got '${a}')`, 'for example --sbatch-arg=--mem=4G --sbatch-arg=--account=lab');
  return { shards, timeMinutes, cpusPerTask, partition: values.partition, sbatchArgs, signalSeconds: warningSeconds(timeMinutes), pollMs: positiveInt('poll-ms', values['poll-ms'], 5000) };
}

export async function cmdSlurm(values: Values, argv: string[]): Promise<number> {
  const f = parseSlurmFlags(values);
  const c = common(values);
  const choice = oneOf('backend', values.backend, BACKEND_CHOICES, 'auto') as BackendChoice;
  checkData(c.specs);
  const backend = await selectBackend(choice, { tfThreads: tfThreadsFor(choice, values) });
  const ws = backend.name === 'wasm' ? { root: c.ws.root } : { root: c.ws.root, backend: backend.name };
  const runDir = slurmRunDir(ws, runSlug(c.profile, backend.name, values, f.shards));
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
  out.write(renderShardPlans(shards, est, timeMinutes, f.timeMinutes !== undefined, !!values.dry));
  if (values.dry) {
    out.write(`\n--- ${show(runDir)}/shards.sbatch\n${scripts.shards}\n--- ${show(runDir)}/merge.sbatch\n${scripts.merge}\ndry run: nothing submitted\n`);
    return 0;
  }

  const command = `npx normreg ${argv.filter((a) => a !== '--wait').join(' ')}`;
  const { array, merge } = await submit(c.ws.root, runDir, f.shards, scripts, command, show(runDir));
  out.write(renderSubmitted({ array, merge, shards: f.shards, runDir: show(runDir), logDir: show(slurmLogDir(runDir)), results: show(resultsRoot(c.ws)) }));
  return values.wait ? follow(runDir, f.shards, array, merge, command, f.pollMs, out) : 0;
}
