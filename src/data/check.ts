/** A spec against its data: does the dataset load, do the sizes and shapes fit. */
import { DatasetError, SpecError, problem, type Problem } from '../errors.js';
import { checkNetwork } from '../spec/load.js';
import type { ResolvedSpec } from '../spec/types.js';
import type { Dataset } from './idx.js';
import { loadDatasetFor } from './dataset.js';

/** What a spec asks of its data, checked against the files: the dataset loads (directory, four
 * files, headers, counts), the subset sizes fit, augmentation has 28x28 images, and the network's
 * shapes work out on the images and classes. Problems point at the spec. */
function checkSpecData(spec: ResolvedSpec): Problem[] {
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
