/** Running one experiment: dataset -> train (checkpointed) -> payload + run facts + run record, written atomically. */
import { cpus, platform, arch } from 'node:os';
import { execFileSync } from 'node:child_process';
import type { ResolvedSpec } from '../spec/types.js';
import type { BackendInfo } from '../engine/backend.js';
import type { ResultPayload, RunFacts } from '../result/types.js';
import { loadIdxDataset, resolveMnistDir, type Dataset } from '../data/idx.js';
import { DatasetError, SpecError, problem, type Problem } from '../errors.js';
import { checkNetwork } from '../spec/load.js';
import { train, type TrainProgress } from '../train/loop.js';
import { CheckpointCorrupt, type TrainState } from '../train/checkpoint.js';
import { fingerprintSpec, sha256Hex } from '../plan/fingerprint.js';
import { bestOf } from '../report/table.js';
import { factsPath, resultPath, type Workspace } from '../result/files.js';
import { readCheckpoint, removeCheckpoint, writeCheckpoint, writeRunRecord, type PlannedRun } from './cache.js';
import { writeFileAtomic } from '../result/store.js';
import { canonicalJson } from '../result/canonical.js';
import { readCpuFacts } from './cpuInfo.js';

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

/** What a spec asks of its data, checked against the files: the dataset loads (directory, four
 * files, headers, counts), the subset sizes fit, augmentation has 28x28 images, and the network's
 * shapes work out on the images and classes. Problems point at the spec. */
export function checkSpecData(spec: ResolvedSpec): Problem[] {
  const from = spec.dataset.source === 'idx' ? '/dataset/path' : '/dataset/source';
  let ds: Dataset;
  try {
    ds = loadDatasetFor(spec);
  } catch (e) {
    if (!(e instanceof DatasetError)) throw e;
    return e.problems.map((p) => p.pointer === '/dataset/sha256' ? p
      : problem(spec.file, from, `${p.file}: ${p.message}`, p.fix));
  }
  const probs: Problem[] = [];
  for (const [key, split] of [['trainSize', ds.train], ['testSize', ds.test]] as const) {
    const k = spec.dataset[key];
    if (k !== null && k > split.n) probs.push(problem(spec.file, `/dataset/${key}`, `${key} ${k} exceeds the ${split.n} images of the dataset in ${ds.dir}`, `use at most ${split.n} or null (all)`));
  }
  if (spec.augmentation.enabled && (ds.train.rows !== 28 || ds.train.cols !== 28))
    probs.push(problem(spec.file, '/augmentation/enabled', `the study's augmentation is written for 28x28 images; this dataset's are ${ds.train.rows}x${ds.train.cols}`, 'set /augmentation/enabled to false'));
  probs.push(...checkNetwork(spec, { h: ds.train.rows, w: ds.train.cols, c: 1 }, ds.classes));
  return probs;
}

/** checkSpecData for every run (each spec file's problems once); throws one SpecError. */
export function checkData(specs: ResolvedSpec[]): void {
  const seen = new Set<string>();
  const probs: Problem[] = [];
  for (const s of specs)
    for (const p of checkSpecData(s)) {
      const key = `${p.file}|${p.pointer}|${p.message}`;
      if (!seen.has(key)) probs.push(p);
      seen.add(key);
    }
  if (probs.length) throw new SpecError('DATASET', probs);
}

export function gitCommit(cwd: string): string | null {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    return null;
  }
}

export interface RunOutcome {
  payload: ResultPayload;
  facts: RunFacts;
}

/** Train one planned run (from scratch or from its checkpoint), checkpointing every epoch; on
 * success write result.json, facts.json and run.json, then drop the checkpoint. */
export async function executeRun(ws: Workspace, run: PlannedRun, backend: BackendInfo, opts: { onProgress?: (p: TrainProgress) => void; signal?: AbortSignal } = {}): Promise<RunOutcome> {
  const { spec, decision } = run;
  const ds = loadDatasetFor(spec);
  let resume: TrainState | null = null;
  if (decision.action === 'resume') {
    const c = readCheckpoint(ws, spec.profile, spec.name);
    if (c && !(c instanceof CheckpointCorrupt) && c.fingerprint === decision.fingerprint) resume = c.state;
  }
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  const out = await train(spec, ds, {
    useMaxPoolKernel: backend.useMaxPoolKernel,
    onProgress: opts.onProgress,
    signal: opts.signal,
    resume,
    onEpochEnd: (state) => writeCheckpoint(ws, spec.profile, spec.name, { format: 1, fingerprint: decision.fingerprint, state }),
  });
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
    resumedFromEpoch: resume ? resume.epoch : 0,
    cpuInfo: readCpuFacts(),
    ...(backend.tensorflow ? { tensorflow: backend.tensorflow } : {}),
    ...(backend.webgpu ? { webgpu: backend.webgpu } : {}),
  };
  const text = canonicalJson(payload);
  writeFileAtomic(resultPath(ws, spec.profile, spec.name), text);
  writeFileAtomic(factsPath(ws, spec.profile, spec.name), canonicalJson(facts));
  writeRunRecord(ws, { format: 1, name: spec.name, profile: spec.profile, fingerprint: decision.fingerprint, components: run.components, payloadSha256: sha256Hex(text) });
  removeCheckpoint(ws, spec.profile, spec.name);
  return { payload, facts };
}
