/** `normreg bench`: training speed of this engine on the study's model, as a benchmark (never a
 * test). Modes: step (timed training steps after warm-up, no augmentation), epoch (one epoch over
 * the training set without augmentation), epoch-augmented (with the study's augmentation). */
import { resolveSpec } from '../spec/load.js';
import { availableParallelism } from 'node:os';
import { applyThreads, parseTfThreads, selectBackend, type BackendChoice } from '../engine/backend.js';
import { readCpuFacts } from '../host/cpu.js';
import { loadDatasetFor } from '../data/dataset.js';
import { train } from '../train/loop.js';
import { checkPytorch, measurePytorch } from './pytorch.js';
import { SpecError } from '../errors.js';
import type { BackendInfo } from '../engine/backend.js';
import { compareBench, renderComparison, type BenchRow, type BenchSummary } from './compare.js';
import { allocBatch, augmentConfigOf, fillBatch } from '../train/batches.js';
import { createStream } from '../train/rng.js';

export const NORMS = ['batch', 'layer', 'group'] as const;
export const MODES = ['step', 'epoch', 'epoch-augmented'] as const;

/** `normreg bench`'s options, parsed (commands/bench.ts). */
export interface BenchOptions {
  norms: string[];
  modes: string[];
  steps: number;
  /** images per timed epoch */
  epochImages: number;
  rounds: number;
  backend: BackendChoice;
  /** --threads / --inter-threads as given (the backend parses them) */
  threads: string | undefined;
  interThreads: string | undefined;
  /** --compare-pytorch: the Python to run the reference with */
  python: string | undefined;
  json: boolean;
  /** the wasm step: compiled, or ops (every op through tfjs) */
  step: 'compiled' | 'ops';
}

/** One engine's speed per (norm, mode); with `python`, alternating rounds with PyTorch's and the ratios. */
export async function benchEngine(o: BenchOptions): Promise<number> {
  const { norms, modes, steps, epochImages, rounds, python } = o;
  if (python !== undefined) await checkPytorch(python);
  const tfThreads = o.backend === 'wasm' || o.backend === 'cpu' ? undefined : parseTfThreads(o.threads, o.interThreads);
  const backend = await applyThreads(await selectBackend(o.backend, { tfThreads }), o.threads, availableParallelism() >= 2 ? 2 : 1);
  const cpu = readCpuFacts();
  const log = (s: string) => { if (!o.json) process.stdout.write(s + '\n'); };
  log(`bench: backend ${backend.name}${backend.name === 'wasm' ? ` (${o.step} step)` : ''} (${backend.tensorflow ? `TensorFlow ${backend.tensorflow.version}, ${backend.tensorflow.intraOpThreads} intra-op / ${backend.tensorflow.interOpThreads} inter-op threads, oneDNN ${backend.tensorflow.onednn}` : backend.kernels.join(', ') || 'stock kernels'}), threads ${backend.threads}, batch 64`);
  log(`cpu: ${cpu.vendor} family ${cpu.family} model ${cpu.model} (${cpu.modelName}), ${cpu.logicalCpus} logical, ${cpu.simd.join(' ')}`);
  // Untimed warm-up: V8 first runs wasm and JS through its baseline compilers and optimizes hot
  // code after a few seconds; without this the first timed mode reads up to 40% low. On webgpu the
  // work is on the adapter: each mode's own untimed steps compile its shaders, and no more is needed
  // (on a software adapter 40 more steps would take most of an hour).
  const compiledStep = o.step === 'compiled';
  if (backend.name !== 'webgpu') await measure(backend, ['batch', 'group'], ['step'], 40, epochImages, compiledStep, () => {});
  const measureOurs = async (): Promise<BenchSummary> => ({
    backend: backend.name, threads: backend.threads, batchSize: 64, cpu, ...(backend.tensorflow ? { tensorflow: backend.tensorflow } : {}),
    results: await measure(backend, norms, modes, steps, epochImages, compiledStep, log),
  });
  if (python === undefined) {
    const summary = await measureOurs();
    if (modes.includes('epoch-augmented')) {
      const a = measureAugmentation(epochImages);
      log(`augmentation alone: ${a.augmentedSeconds.toFixed(2)} s per ${epochImages} images with the study's ` +
        `transforms vs ${a.plainSeconds.toFixed(2)} s without (the rest of an epoch is the same work)`);
    }
    if (o.json) process.stdout.write(JSON.stringify(summary) + '\n');
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
  if (o.json) {
    const last = ours[ours.length - 1];
    process.stdout.write(JSON.stringify({ ...last, pytorch: theirs, comparison }) + '\n');
  }
  return 0;
}


async function measure(backend: BackendInfo, norms: readonly string[], modes: readonly string[], steps: number,
  epochImages: number, compiledStep: boolean, log: (s: string) => void): Promise<BenchRow[]> {
  const warmup = backend.name === 'webgpu' ? 2 : 10;
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
      if (!spec) throw new SpecError('SPEC_INVALID', problems);
      const ds = loadDatasetFor(spec);
      let tStart = 0;
      let tEnd = 0;
      await train(spec, ds, {
        useMaxPoolKernel: backend.useMaxPoolKernel,
        compiledStep,
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

/** Seconds to build an epoch's input batches with and without the study's augmentation (one thread). */
function measureAugmentation(images: number): { augmentedSeconds: number; plainSeconds: number } {
  const doc = { name: 'bench', title: 'bench', model: { norm: 'batch' }, dataset: { trainSize: images, testSize: 64 },
    training: { epochs: 1, evalBatchSize: 64 }, augmentation: { enabled: true } };
  const { spec, problems } = resolveSpec('bench.json', doc, 'full');
  if (!spec) throw new SpecError('SPEC_INVALID', problems);
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
