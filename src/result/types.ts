import type { CpuFacts } from '../host/cpu.js';
import type { TensorflowFacts } from '../engine/tensorflow.js';
import type { WebgpuFacts } from '../engine/webgpu.js';
/** Shapes of what a run produces. The payload is the reproducible part (byte-identical for the
 * same spec + seed + backend); RunFacts hold timings and host facts and are never compared. */

export interface EpochMetrics {
  epoch: number; // 1-based
  trainLoss: number; // mean NLL over the epoch's training batches (augmented, dropout on)
  trainAcc: number; // percent, running accuracy over the epoch's training batches
  testLoss: number; // sum of per-image NLL / N, eval mode
  testAcc: number; // percent
  lr: number; // learning rate at the last step of the epoch
}

interface BestMetrics {
  bestTrainAcc: number;
  bestTestAcc: number;
  bestTestLoss: number;
}

export interface Misclassified {
  /** epoch whose eval pass produced this list (the last epoch) */
  epoch: number;
  count: number;
  /** first entries in test-set order */
  samples: { index: number; actual: number; predicted: number }[];
}

export interface ResultPayload {
  format: 1;
  name: string;
  title: string;
  profile: string;
  backend: string;
  seed: number;
  specFingerprint: string;
  datasetSha256: string;
  trainSize: number;
  testSize: number;
  epochs: EpochMetrics[];
  best: BestMetrics;
  misclassified: Misclassified;
  weightsSha256: string;
}

export interface RunFacts {
  name: string;
  profile: string;
  backend: string;
  threads: number;
  versions: Record<string, string>;
  cpu: string;
  node: string;
  platform: string;
  gitCommit: string | null;
  startedAt: string;
  wallSeconds: number;
  epochSeconds: number[];
  imagesPerSec: number;
  /** epochs taken from a checkpoint (0: trained from scratch in one go) */
  resumedFromEpoch: number;
  /** this run's result was copied from that run's (same training, see plan/plan.ts shareTraining); the timings are that run's */
  copiedFrom?: string;
  /** vendor, family, model, SIMD flags */
  cpuInfo: CpuFacts;
  /** TensorFlow's version, devices, thread counts and oneDNN setting (tensorflow backends) */
  tensorflow?: TensorflowFacts;
  /** the WebGPU adapter (vendor, architecture, device, description, driver, software or not), the request and the pinned flags (webgpu) */
  webgpu?: WebgpuFacts;
}

/** What a run's bytes depend on, component by component (so a changed run can say why). */
export interface RunComponents {
  inputs: Record<string, unknown>;
  datasetSha256: string;
  backend: string;
  versions: Record<string, string>;
  code: string;
}

/** What `run.json` holds next to a result: the components it was made from and the payload's hash. */
export interface RunRecord {
  format: 1;
  name: string;
  profile: string;
  fingerprint: string;
  components: RunComponents;
  payloadSha256: string;
}
