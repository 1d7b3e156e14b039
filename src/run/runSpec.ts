/** Running one experiment: dataset -> train (checkpointed) -> payload + run facts + run record, written atomically. */
import { platform, arch } from 'node:os';
import type { BackendInfo } from '../engine/backend.js';
import type { ResultPayload, RunFacts } from '../result/types.js';
import { loadDatasetFor } from '../data/dataset.js';
import { train, type TrainProgress } from '../train/loop.js';
import { CheckpointCorrupt, type TrainState } from '../train/checkpoint.js';
import { fingerprintSpec } from '../plan/fingerprint.js';
import { sha256Hex } from '../result/canonical.js';
import { bestOf } from '../result/best.js';
import { factsPath, resultPath, type Workspace } from '../workspace/paths.js';
import { readCheckpoint, removeCheckpoint, writeCheckpoint, writeRunRecord } from '../workspace/runFiles.js';
import { type PlannedRun } from '../plan/runs.js';
import { writeFileAtomic } from '../workspace/store.js';
import { canonicalJson } from '../result/canonical.js';
import { cpuLabel, gitCommit, readCpuFacts } from '../host/cpu.js';
import { checkWebgpuDevice } from '../engine/webgpu.js';

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
    onEpochEnd: (state) => {
      if (backend.webgpu) checkWebgpuDevice(); // a lost device's reads are not trusted into a checkpoint
      writeCheckpoint(ws, spec.profile, spec.name, { format: 1, fingerprint: decision.fingerprint, state });
    },
  }).catch((e: unknown) => {
    if (backend.webgpu) checkWebgpuDevice(); // a read from a lost device fails with Dawn's own error: report the loss
    throw e;
  });
  if (backend.webgpu) checkWebgpuDevice();
  const wallSeconds = (performance.now() - t0) / 1000;
  const payload: ResultPayload = {
    format: 1, name: spec.name, title: spec.title, profile: spec.profile, backend: backend.name, seed: spec.seed,
    specFingerprint: fingerprintSpec(spec), datasetSha256: ds.sha256, trainSize: out.trainSize, testSize: out.testSize,
    epochs: out.epochs, best: bestOf(out.epochs), misclassified: out.misclassified, weightsSha256: out.weightsSha256,
  };
  const facts: RunFacts = {
    name: spec.name, profile: spec.profile, backend: backend.name, threads: backend.threads,
    versions: { ...backend.versions, kernels: backend.kernels.join(',') || 'stock' },
    cpu: cpuLabel(), node: process.version, platform: `${platform()}-${arch()}`,
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
