/** Measured speed for the plan estimate (src/plan/estimate.ts): read from the facts of earlier
 * runs in this workspace, or measured by a short calibration. IO and training at the edge. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cpuLabel } from '../host/cpu.js';
import { join } from 'node:path';
import { resultsRoot, type Workspace } from '../workspace/paths.js';
import type { SpeedSample, RunWork } from '../plan/estimate.js';
import type { PlannedRun } from '../plan/runs.js';
import type { BackendInfo } from '../engine/backend.js';
import { resolveSpec } from '../spec/load.js';
import { train } from '../train/loop.js';
import { loadDatasetFor } from '../data/dataset.js';

function readJson(file: string): any {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null; // a missing or unreadable file is no sample
  }
}

/** One sample per finished run under results/<profile>/<name>/ (facts.json + run.json's inputs). */
export function readSpeedSamples(ws: Workspace): SpeedSample[] {
  const out: SpeedSample[] = [];
  const root = resultsRoot(ws);
  if (!existsSync(root)) return out;
  for (const profile of readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name)) {
    for (const name of readdirSync(join(root, profile))) {
      const facts = readJson(join(root, profile, name, 'facts.json'));
      const run = readJson(join(root, profile, name, 'run.json'));
      const inputs = run?.components?.inputs;
      if (!facts || !inputs || !(facts.imagesPerSec > 0) || facts.resumedFromEpoch || facts.copiedFrom) continue;
      out.push({ source: 'facts', cpu: String(facts.cpu), profile, norm: String(inputs.model?.norm), batchSize: Number(inputs.training?.batchSize), imagesPerSec: facts.imagesPerSec });
    }
  }
  return out;
}

export function workOf(plan: PlannedRun[]): RunWork[] {
  return plan.filter((p) => p.decision.action === 'train' || p.decision.action === 'resume').map((p) => ({
    name: p.spec.name, profile: p.spec.profile, norm: p.spec.model.norm, batchSize: p.spec.training.batchSize,
    images: (p.spec.dataset.trainSize ?? 60000) * (p.spec.training.epochs - p.decision.fromEpoch),
  }));
}

/** Time `steps` augmented training steps (batch 64, after a short warm-up) per norm on this backend. */
export async function calibrate(backend: BackendInfo, norms: string[], steps = 16): Promise<SpeedSample[]> {
  const warmup = 4;
  const out: SpeedSample[] = [];
  for (const norm of norms) {
    const doc = { name: 'calibration', title: 'calibration', model: { norm }, dataset: { trainSize: (warmup + steps) * 64, testSize: 64 }, training: { epochs: 1, evalBatchSize: 64 } };
    const { spec } = resolveSpec('calibration.json', doc, 'full');
    if (!spec) continue;
    let t0 = 0;
    let t1 = 0;
    await train(spec, loadDatasetFor(spec), {
      useMaxPoolKernel: backend.useMaxPoolKernel,
      onProgress: (p) => {
        if (p.metrics) return;
        if (p.step === warmup) t0 = performance.now();
        if (p.step === p.steps) t1 = performance.now();
      },
    });
    if (t1 > t0 && t0 > 0) out.push({ source: 'calibration', cpu: cpuLabel(), profile: '', norm, batchSize: 64, imagesPerSec: (steps * 64) / ((t1 - t0) / 1000) });
  }
  return out;
}
