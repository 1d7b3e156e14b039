/** A spec's fingerprint: sha256 of exactly the fields that change what training computes. */
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

export function fingerprintSpec(s: ResolvedSpec): string {
  return createHash('sha256').update(canonicalJson(trainingInputs(s))).digest('hex');
}
