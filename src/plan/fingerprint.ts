/** Fingerprints. A spec's fingerprint covers exactly the fields that change what training
 * computes; a run's fingerprint adds everything else that can change its bytes: the dataset
 * actually read, the backend and library versions, and the training code. */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../result/canonical.js';
import type { ResolvedSpec } from '../spec/types.js';

export function trainingInputs(s: ResolvedSpec): Record<string, unknown> {
  return {
    profile: s.profile,
    seed: s.seed,
    dataset: { source: s.dataset.source, sha256: s.dataset.sha256, trainSize: s.dataset.trainSize, testSize: s.dataset.testSize },
    model: s.model,
    training: s.training,
    augmentation: s.augmentation,
  };
}

export function sha256Hex(text: string | Uint8Array): string {
  return createHash('sha256').update(text).digest('hex');
}

export function fingerprintSpec(s: ResolvedSpec): string {
  return sha256Hex(canonicalJson(trainingInputs(s)));
}

/** What a run's bytes depend on, component by component (so a changed run can say why). */
export interface RunComponents {
  inputs: Record<string, unknown>;
  datasetSha256: string;
  backend: string;
  versions: Record<string, string>;
  code: string;
}

export function runComponents(spec: ResolvedSpec, env: { datasetSha256: string; backend: string; versions: Record<string, string>; code: string }): RunComponents {
  return { inputs: trainingInputs(spec), ...env };
}

export function fingerprintRun(c: RunComponents): string {
  return sha256Hex(canonicalJson(c));
}
