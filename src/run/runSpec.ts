/** Running one experiment: dataset -> train -> payload + run facts, written atomically. */
import { cpus, platform, arch } from 'node:os';
import { execFileSync } from 'node:child_process';
import type { ResolvedSpec } from '../spec/types.js';
import type { BackendInfo } from '../engine/backend.js';
import type { ResultPayload, RunFacts } from '../result/types.js';
import { loadIdxDataset, resolveMnistDir, type Dataset } from '../data/idx.js';
import { train, type TrainProgress } from '../train/loop.js';
import { fingerprintSpec } from '../plan/fingerprint.js';
import { bestOf } from '../report/table.js';
import { factsPath, resultPath, writePayload, type Workspace } from '../result/files.js';
import { writeFileAtomic } from '../result/store.js';
import { canonicalJson } from '../result/canonical.js';

const datasets = new Map<string, Dataset>();

export function loadDatasetFor(spec: ResolvedSpec): Dataset {
  const dir = spec.dataset.source === 'mnist' ? resolveMnistDir() : spec.dataset.path!;
  const key = `${dir}|${spec.dataset.sha256 ?? ''}`;
  let ds = datasets.get(key);
  if (!ds) {
    ds = loadIdxDataset(dir, { expectedSha256: spec.dataset.sha256 ?? undefined, specFile: spec.file });
    datasets.set(key, ds);
  }
  return ds;
}

export function gitCommit(cwd: string): string | null {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    return null;
  }
}

export function runSpec(ws: Workspace, spec: ResolvedSpec, backend: BackendInfo, onProgress?: (p: TrainProgress) => void): { payload: ResultPayload; facts: RunFacts } {
  const ds = loadDatasetFor(spec);
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  const out = train(spec, ds, { useMaxPoolKernel: backend.useMaxPoolKernel, onProgress });
  const wallSeconds = (performance.now() - t0) / 1000;
  const payload: ResultPayload = {
    format: 1, name: spec.name, title: spec.title, profile: spec.profile, backend: backend.name, seed: spec.seed,
    specFingerprint: fingerprintSpec(spec), datasetSha256: ds.sha256, trainSize: out.trainSize, testSize: out.testSize,
    epochs: out.epochs, best: bestOf(out.epochs), misclassified: out.misclassified, weightsSha256: out.weightsSha256,
  };
  const facts: RunFacts = {
    name: spec.name, profile: spec.profile, backend: backend.name, threads: backend.threads,
    versions: { ...backend.versions, kernels: backend.kernels.join(',') || 'stock' },
    cpu: `${cpus()[0]?.model ?? 'unknown'} x${cpus().length}`, node: process.version, platform: `${platform()}-${arch()}`,
    gitCommit: gitCommit(ws.root), startedAt, wallSeconds, epochSeconds: out.epochSeconds,
    imagesPerSec: (out.trainSize * out.epochs.length) / out.epochSeconds.reduce((a, b) => a + b, 0),
  };
  writePayload(resultPath(ws, spec.profile, spec.name), payload);
  writeFileAtomic(factsPath(ws, spec.profile, spec.name), canonicalJson(facts));
  return { payload, facts };
}
