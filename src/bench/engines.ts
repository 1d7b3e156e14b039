/** `normreg bench --engines wasm,tensorflow [--compare-pytorch]`: several engines and the study's
 * PyTorch in alternating rounds of one command, each engine in its own fresh process (TensorFlow's
 * thread pools and the wasm kernels never share a process), printed as one table. */
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { problem, RunError } from '../errors.js';
import { compareEngines, renderEngineTable, type BenchSummary } from './compare.js';
import { readCpuFacts } from '../host/cpu.js';
import { checkPytorch, measurePytorch } from './pytorch.js';
import type { BenchOptions } from './measure.js';

const BIN = fileURLToPath(new URL('../../bin/normreg.js', import.meta.url));

/** `engines`: each benchmarked by `normreg bench --backend E --json` in its own process, in rounds. */
export async function benchEngines(engines: string[], o: BenchOptions): Promise<number> {
  const { rounds, python } = o;
  const threads = o.threads === undefined || o.threads === 'auto' ? Math.min(2, availableParallelism()) : Number(o.threads);
  const steps = String(o.steps);
  const epochImages = String(o.epochImages);
  const norms = o.norms.join(',');
  const modes = o.modes.join(',');
  if (python !== undefined) await checkPytorch(python);
  const log = (s: string) => { if (!o.json) process.stdout.write(s + '\n'); };
  const cpu = readCpuFacts();
  log(`bench: ${engines.join(', ')}${python ? ', PyTorch' : ''}; ${threads} thread(s) each; ${rounds} round(s); modes ${modes}`);
  log(`cpu: ${cpu.vendor} family ${cpu.family} model ${cpu.model} (${cpu.modelName}), ${cpu.logicalCpus} logical, ${cpu.simd.join(' ')}`);
  const runs: Record<string, BenchSummary[]> = Object.fromEntries([...engines, ...(python ? ['pytorch'] : [])].map((n) => [n, []]));
  for (let r = 1; r <= rounds; r++) {
    for (const e of engines) {
      log(`round ${r}/${rounds}: ${e}`);
      const backend = e === 'wasm-ops' ? ['--backend', 'wasm', '--step', 'ops'] : ['--backend', e];
      const args = [BIN, 'bench', ...backend, '--json', '--threads', String(threads), '--steps', steps, '--epoch-images', epochImages, '--norms', norms, '--modes', modes];
      const p = await execa(process.execPath, args, { reject: false, stdin: 'ignore' });
      try {
        if (p.exitCode !== 0) throw new Error(`exit ${p.exitCode}`);
        runs[e].push(JSON.parse(p.stdout.trim().split('\n').pop() ?? '') as BenchSummary);
      } catch (err) {
        throw new RunError('RUN', [problem('', '--engines', `bench on ${e} failed (${(err as Error).message}): ${p.stderr.trim().split('\n').slice(-2).join(' | ')}`, e.startsWith('tensorflow') ? 'run `npx normreg setup tensorflow` first' : 'run `npx normreg bench ' + backend.join(' ') + '` to see the error')]);
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
  if (o.json) process.stdout.write(JSON.stringify({ cpu, threads, rounds, rows, runs }) + '\n');
  return 0;
}
