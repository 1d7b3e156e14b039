/** Fingerprints. A spec's fingerprint covers exactly the fields that change what training
 * computes; a run's fingerprint adds everything else that can change its bytes: the dataset
 * actually read, the backend and library versions, and the training code. */
import { canonicalJson, sha256Hex } from '../result/canonical.js';
import type { RunComponents } from '../result/types.js';
import type { ResolvedSpec } from '../spec/types.js';

const DEFAULT_NORMALIZE = { mean: 0.1307, std: 0.3081 };

/* Fields added after the first goldens (the layer list, dataset normalization) enter the
 * fingerprint only when they differ from their defaults, so every spec written before them keeps
 * its fingerprint (the committed goldens hold it); the study network is described exactly by
 * norm, groups and dropout. A spec with its own network or normalization fingerprints the
 * resolved list and values, and the cache names /model/layers/... or /dataset/normalize/... as
 * the reason when they change. */
function trainingInputs(s: ResolvedSpec): Record<string, unknown> {
  const { layers, ...model } = s.model;
  const n = s.dataset.normalize;
  const defaultNorm = n.mean === DEFAULT_NORMALIZE.mean && n.std === DEFAULT_NORMALIZE.std;
  return {
    profile: s.profile,
    seed: s.seed,
    dataset: { source: s.dataset.source, sha256: s.dataset.sha256, trainSize: s.dataset.trainSize, testSize: s.dataset.testSize, ...(defaultNorm ? {} : { normalize: n }) },
    model: s.network.isDefault ? model : { ...model, layers },
    training: s.training,
    augmentation: s.augmentation,
  };
}

export function fingerprintSpec(s: ResolvedSpec): string {
  return sha256Hex(canonicalJson(trainingInputs(s)));
}

export function runComponents(spec: ResolvedSpec, env: { datasetSha256: string; backend: string; versions: Record<string, string>; code: string }): RunComponents {
  return { inputs: trainingInputs(spec), ...env };
}

export function fingerprintRun(c: RunComponents): string {
  return sha256Hex(canonicalJson(c));
}
