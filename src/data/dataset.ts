/** The dataset a spec names, loaded once per process (directory and expected checksum as the key). */
import type { ResolvedSpec } from '../spec/types.js';
import { loadIdxDataset, resolveMnistDir, type Dataset } from './idx.js';

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
