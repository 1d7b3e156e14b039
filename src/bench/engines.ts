/** `normreg bench --engines wasm,tensorflow [--compare-pytorch]`: several engines and the study's
 * PyTorch in alternating rounds of one command, each engine in its own fresh process (TensorFlow's
 * thread pools and the wasm kernels never share a process), printed as one table. */
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { BACKEND_CHOICES } from '../engine/backend.js';
import { problem, RunError, UsageError } from '../errors.js';
import { compareEngines, renderEngineTable, type BenchSummary } from './compare.js';
import { readCpuFacts } from '../host/cpu.js';
import { checkPytorch, measurePytorch } from './measure.js';

const BIN = fileURLToPath(new URL('../../bin/normreg.js', import.meta.url));

export async function runEngineBench(values: Record<string, unknown>): Promise<number> {
  const engines = String(values.engines).split(',').map((s) => s.trim()).filter(Boolean);
  for (const e of engines) if (!BACKEND_CHOICES.includes(e as never) || e === 'auto') throw new UsageError(`--engines: unknown engine '${e}'`, 'use a list of wasm, tensorflow, tensorflow-gpu, cpu');
  const rounds = Number(values.rounds ?? 3);
  if (!Number.isInteger(rounds) || rounds < 1) throw new UsageError(`--rounds must be a positive integer (got '${String(values.rounds)}')`);
  const threads = values.threads === undefined || values.threads === 'auto' ? Math.min(2, availableParallelism()) : Number(values.threads);
  const steps = String(values.steps ?? 60);
  const epochImages = String(values['epoch-images'] ?? 60000);
  const norms = String(values.norms ?? 'batch,layer,group');
  const modes = String(values.modes ?? 'step');
  const python = values['compare-pytorch'] ? String(values.python ?? 'python3') : undefined;
  if (python !== undefined) await checkPytorch(python);
  const log = (s: string) => { if (!values.json) process.stdout.write(s + '\n'); };
  const cpu = readCpuFacts();
  log(`bench: ${engines.join(', ')}${python ? ', PyTorch' : ''}; ${threads} thread(s) each; ${rounds} round(s); modes ${modes}`);
  log(`cpu: ${cpu.vendor} family ${cpu.family} model ${cpu.model} (${cpu.modelName}), ${cpu.logicalCpus} logical, ${cpu.simd.join(' ')}`);
  const runs: Record<string, BenchSummary[]> = Object.fromEntries([...engines, ...(python ? ['pytorch'] : [])].map((n) => [n, []]));
  for (let r = 1; r <= rounds; r++) {
    for (const e of engines) {
      log(`round ${r}/${rounds}: ${e}`);
      const args = [BIN, 'bench', '--backend', e, '--json', '--threads', String(threads), '--steps', steps, '--epoch-images', epochImages, '--norms', norms, '--modes', modes];
      const p = await execa(process.execPath, args, { reject: false, stdin: 'ignore' });
      try {
        if (p.exitCode !== 0) throw new Error(`exit ${p.exitCode}`);
        runs[e].push(JSON.parse(p.stdout.trim().split('\n').pop() ?? '') as BenchSummary);
      } catch (err) {
        throw new RunError('RUN', [problem('', '--engines', `bench on ${e} failed (${(err as Error).message}): ${p.stderr.trim().split('\n').slice(-2).join(' | ')}`, e.startsWith('tensorflow') ? 'run `npx normreg setup tensorflow` first' : 'run `npx normreg bench --backend ' + e + '` to see the error')]);
      }
    }
    if (python) {
      log(`round ${r}/${rounds}: PyTorch`);
      runs.pytorch.push(await measurePytorch(python, norms.split(','), modes.split(','), Number(steps), Number(epochImages), threads));
    }
  }
  const baseline = python ? 'pytorch' : engines[0];
  const rows = compareEngines(runs, baseline);
  log('');
  log(renderEngineTable(rows, baseline));
  log(`\n(median of ${rounds} alternating round(s); ratios are medians of per-round ratios)`);
  if (values.json) process.stdout.write(JSON.stringify({ cpu, threads, rounds, rows, runs }) + '\n');
  return 0;
}
