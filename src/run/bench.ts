/** `normreg bench`: training speed of this engine on the study's model, as a benchmark (never a
 * test). Modes: step (timed training steps after warm-up, no augmentation), epoch (one epoch over
 * the training set without augmentation), epoch-augmented (with the study's augmentation). */
import { resolveSpec } from '../spec/load.js';
import { availableParallelism } from 'node:os';
import { selectBackend, setBackendThreads, BACKEND_CHOICES, type BackendChoice } from '../engine/backend.js';
import { loadDatasetFor } from './runSpec.js';
import { train } from '../train/loop.js';
import { UsageError } from '../errors.js';

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
  const norms = list('norms', values.norms, NORMS);
  const modes = list('modes', values.modes, MODES);
  const steps = int('steps', values.steps, 60);
  const epochImages = int('epoch-images', values['epoch-images'], 60000); // images per timed epoch
  const backendChoice = (values.backend ?? 'auto') as BackendChoice;
  if (!BACKEND_CHOICES.includes(backendChoice)) throw new UsageError(`--backend must be one of ${BACKEND_CHOICES.join(', ')}`);
  const threadsText = values.threads === undefined || values.threads === 'auto' ? String(Math.min(2, availableParallelism())) : String(values.threads);
  if (threadsText !== '1' && threadsText !== '2') throw new UsageError(`--threads must be 1, 2 or auto (got '${threadsText}')`);
  const backend = await setBackendThreads(await selectBackend(backendChoice), Number(threadsText));
  const warmup = 10;
  const results: { norm: string; mode: string; imagesPerSec: number; seconds: number; images: number }[] = [];
  const log = (s: string) => { if (!values.json) process.stdout.write(s + '\n'); };
  log(`bench: backend ${backend.name} (${backend.kernels.join(', ') || 'stock kernels'}), threads ${backend.threads}, batch 64`);
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
      results.push({ norm, mode, imagesPerSec: Math.round(images / seconds), seconds: Number(seconds.toFixed(2)), images });
      log(`${mode.padEnd(16)} ${norm.padEnd(6)} ${String(Math.round(images / seconds)).padStart(6)} img/s  (${images} images in ${seconds.toFixed(2)} s)`);
    }
  }
  const summary = { backend: backend.name, threads: backend.threads, batchSize: 64, results: results.map(({ norm, mode, imagesPerSec }) => ({ norm, mode, imagesPerSec })) };
  if (values.json) process.stdout.write(JSON.stringify(summary) + '\n');
  return 0;
}
