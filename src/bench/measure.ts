/** `normreg bench`: training speed of this engine on the study's model, as a benchmark (never a
 * test). Modes: step (timed training steps after warm-up, no augmentation), epoch (one epoch over
 * the training set without augmentation), epoch-augmented (with the study's augmentation). */
import { resolveSpec } from '../spec/load.js';
import { availableParallelism } from 'node:os';
import { applyThreads, parseTfThreads, selectBackend, BACKEND_CHOICES, type BackendChoice } from '../engine/backend.js';
import { readCpuFacts } from '../host/cpu.js';
import { loadDatasetFor } from '../data/dataset.js';
import { train } from '../train/loop.js';
import { problem, RunError, UsageError } from '../errors.js';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import type { BackendInfo } from '../engine/backend.js';
import { compareBench, renderComparison, type BenchRow, type BenchSummary } from './compare.js';
import { allocBatch, augmentConfigOf, fillBatch } from '../train/batches.js';
import { createStream } from '../train/rng.js';

const NORMS = ['batch', 'layer', 'group'] as const;
const MODES = ['step', 'epoch', 'epoch-augmented'] as const;

function list<T extends string>(flag: string, v: unknown, all: readonly T[]): T[] {
  if (v === undefined) return [...all];
  const items = String(v).split(',').map((s) => s.trim());
  for (const i of items) if (!(all as readonly string[]).includes(i)) throw new UsageError(`--${flag}: unknown '${i}'`, `use ${all.join(',')}`);
  return items as T[];
}
function int(flag: string, v: unknown, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${flag} must be a positive integer (got '${String(v)}')`);
  return n;
}

export async function runBench(values: Record<string, unknown>): Promise<number> {
  if (values.engines !== undefined) return (await import('./engines.js')).runEngineBench(values);
  const norms = list('norms', values.norms, NORMS);
  const modes = list('modes', values.modes, MODES);
  const steps = int('steps', values.steps, 60);
  const epochImages = int('epoch-images', values['epoch-images'], 60000); // images per timed epoch
  const rounds = int('rounds', values.rounds, 3);
  const backendChoice = (values.backend ?? 'auto') as BackendChoice;
  if (!BACKEND_CHOICES.includes(backendChoice)) throw new UsageError(`--backend must be one of ${BACKEND_CHOICES.join(', ')}`);
  const python = values['compare-pytorch'] ? String(values.python ?? 'python3') : undefined;
  if (python !== undefined) await checkPytorch(python);
  const tfThreads = backendChoice === 'wasm' || backendChoice === 'cpu' ? undefined : parseTfThreads(values.threads as string | undefined, values['inter-threads'] as string | undefined);
  const backend = await applyThreads(await selectBackend(backendChoice, { tfThreads }), values.threads as string | undefined, availableParallelism() >= 2 ? 2 : 1);
  const cpu = readCpuFacts();
  const log = (s: string) => { if (!values.json) process.stdout.write(s + '\n'); };
  log(`bench: backend ${backend.name} (${backend.tensorflow ? `TensorFlow ${backend.tensorflow.version}, ${backend.tensorflow.intraOpThreads} intra-op / ${backend.tensorflow.interOpThreads} inter-op threads, oneDNN ${backend.tensorflow.onednn}` : backend.kernels.join(', ') || 'stock kernels'}), threads ${backend.threads}, batch 64`);
  log(`cpu: ${cpu.vendor} family ${cpu.family} model ${cpu.model} (${cpu.modelName}), ${cpu.logicalCpus} logical, ${cpu.simd.join(' ')}`);
  // Untimed warm-up: V8 first runs wasm and JS through its baseline compilers and optimizes hot
  // code after a few seconds; without this the first timed mode reads up to 40% low.
  await measure(backend, ['batch', 'group'], ['step'], 40, epochImages, () => {});
  const measureOurs = async (): Promise<BenchSummary> => ({
    backend: backend.name, threads: backend.threads, batchSize: 64, cpu, ...(backend.tensorflow ? { tensorflow: backend.tensorflow } : {}),
    results: await measure(backend, norms, modes, steps, epochImages, log),
  });
  if (python === undefined) {
    const summary = await measureOurs();
    if (modes.includes('epoch-augmented')) {
      const a = measureAugmentation(epochImages);
      log(`augmentation alone: ${a.augmentedSeconds.toFixed(2)} s per ${epochImages} images with the study's ` +
        `transforms vs ${a.plainSeconds.toFixed(2)} s without (the rest of an epoch is the same work)`);
    }
    if (values.json) process.stdout.write(JSON.stringify(summary) + '\n');
    return 0;
  }
  // Alternate rounds (ours, PyTorch, ours, ...) so both see the same machine state.
  const ours: BenchSummary[] = [];
  const theirs: BenchSummary[] = [];
  for (let r = 1; r <= rounds; r++) {
    log(`round ${r}/${rounds}: this engine`);
    ours.push(await measureOurs());
    log(`round ${r}/${rounds}: PyTorch (${python} reference/pytorch/bench_pytorch.py, ${backend.threads} threads)`);
    theirs.push(await measurePytorch(python, norms, modes, steps, epochImages, backend.threads));
  }
  const comparison = compareBench(ours, theirs);
  log('');
  log(renderComparison(comparison, `${backend.name} x${backend.threads}`));
  if (values.json) {
    const last = ours[ours.length - 1];
    process.stdout.write(JSON.stringify({ ...last, pytorch: theirs, comparison }) + '\n');
  }
  return 0;
}

async function measure(backend: BackendInfo, norms: readonly string[], modes: readonly string[], steps: number,
  epochImages: number, log: (s: string) => void): Promise<BenchRow[]> {
  const warmup = 10;
  const results: BenchRow[] = [];
  for (const mode of modes) {
    for (const norm of norms) {
      const trainSize = mode === 'step' ? (steps + warmup) * 64 : epochImages;
      const doc = {
        name: 'bench', title: 'bench', model: { norm },
        dataset: { trainSize, testSize: 64 },
        training: { epochs: 1, evalBatchSize: 64 },
        augmentation: { enabled: mode === 'epoch-augmented' },
      };
      const { spec, problems } = resolveSpec('bench.json', doc, 'full');
      if (!spec) throw new Error(problems.map((p) => p.message).join('; '));
      const ds = loadDatasetFor(spec);
      let tStart = 0;
      let tEnd = 0;
      await train(spec, ds, {
        useMaxPoolKernel: backend.useMaxPoolKernel,
        onProgress: (p) => {
          if (p.metrics) return;
          const skip = mode === 'step' ? warmup : 0;
          if (p.step === skip || (skip === 0 && p.step === 1 && tStart === 0)) tStart = performance.now();
          if (p.step === p.steps) tEnd = performance.now();
        },
      });
      // in epoch modes the clock starts after the first step (so it includes data prep of every later batch)
      const timedSteps = mode === 'step' ? steps : Math.ceil(trainSize / 64) - 1;
      const images = timedSteps * 64;
      const seconds = (tEnd - tStart) / 1000;
      results.push({ norm, mode, imagesPerSec: Math.round(images / seconds) });
      log(`${mode.padEnd(16)} ${norm.padEnd(6)} ${String(Math.round(images / seconds)).padStart(6)} img/s  (${images} images in ${seconds.toFixed(2)} s)`);
    }
  }
  return results;
}

/** The PyTorch side of --compare-pytorch: a reference script, not part of the run pipeline. */
export const PYTORCH_SCRIPT = fileURLToPath(new URL('../../reference/pytorch/bench_pytorch.py', import.meta.url));
const PYTORCH_FIX = 'install the reference with `apt-get install python3-torch python3-torchvision` (Debian), ' +
  'or name a Python that has both: --python /path/to/python3';

export async function checkPytorch(python: string): Promise<void> {
  const r = await execa(python, ['-c', 'import torch, torchvision'], { reject: false });
  if (r.exitCode !== 0) {
    const why = r.failed && r.exitCode === undefined ? `'${python}' cannot be run` : `'${python}' cannot import torch and torchvision`;
    throw new UsageError(`--compare-pytorch: ${why}`, PYTORCH_FIX);
  }
}

export async function measurePytorch(python: string, norms: readonly string[], modes: readonly string[], steps: number,
  epochImages: number, threads: number): Promise<BenchSummary> {
  const r = await execa(python, [PYTORCH_SCRIPT, '--json', '--threads', String(threads), '--steps', String(steps),
    '--epoch-images', String(epochImages), '--norms', norms.join(','), '--modes', modes.join(',')], { reject: false });
  const last = r.stdout.trim().split('\n').pop() ?? '';
  try {
    if (r.exitCode !== 0) throw new Error(`exit ${r.exitCode}`);
    return JSON.parse(last) as BenchSummary;
  } catch (e) {
    throw new RunError('RUN', [problem('reference/pytorch/bench_pytorch.py', '', `the PyTorch benchmark failed (${(e as Error).message}): ` +
      `${r.stderr.trim().split('\n').slice(-3).join(' | ') || 'no output'}`, PYTORCH_FIX)]);
  }
}

/** Seconds to build an epoch's input batches with and without the study's augmentation (one thread). */
function measureAugmentation(images: number): { augmentedSeconds: number; plainSeconds: number } {
  const doc = { name: 'bench', title: 'bench', model: { norm: 'batch' }, dataset: { trainSize: images, testSize: 64 },
    training: { epochs: 1, evalBatchSize: 64 }, augmentation: { enabled: true } };
  const { spec, problems } = resolveSpec('bench.json', doc, 'full');
  if (!spec) throw new Error(problems.map((p) => p.message).join('; '));
  const ds = loadDatasetFor(spec);
  const idx = Uint32Array.from({ length: images }, (_, i) => i % ds.train.n);
  const buf = allocBatch(64);
  const time = (augment: Parameters<typeof fillBatch>[5]): number => {
    const t0 = performance.now();
    for (let start = 0; start < images; start += 64) fillBatch(ds.train, idx, start, Math.min(64, images - start), buf, augment);
    return (performance.now() - t0) / 1000;
  };
  const plainSeconds = time(null);
  const augmentedSeconds = time({ cfg: augmentConfigOf(spec.augmentation), rand: createStream(spec.seed, 'augment').next });
  return { augmentedSeconds, plainSeconds };
}
