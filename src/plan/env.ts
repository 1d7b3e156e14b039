/** The run environment: what besides the spec decides a run's bytes (dataset read, backend,
 * library versions, training code). */
import type { BackendInfo } from '../engine/backend.js';
import { loadDatasetFor } from '../data/dataset.js';
import { codeHash } from './codeHash.js';
import type { RunEnv } from './runs.js';

export function runEnvFor(backend: BackendInfo): RunEnv {
  return {
    datasetSha256: (s) => loadDatasetFor(s).sha256,
    backend: backend.name,
    versions: { ...backend.versions, kernels: backend.kernels.join(',') || 'stock' },
    code: codeHash(),
  };
}
