import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, copyFileSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { createHash } from 'node:crypto';
import { parseIdx, loadIdxDataset, resolveMnistDir, IDX_FILES } from '../../src/data/idx.js';
import { DatasetError } from '../../src/errors.js';

test('the shipped MNIST files are the originals (REFERENCE.md md5s) and parse to 60k/10k', () => {
  const dir = resolveMnistDir();
  const md5 = (f: string) => createHash('md5').update(readFileSync(join(dir, f))).digest('hex');
  assert.is(md5(IDX_FILES.trainImages), '6bbc9ace898e44ae57da46a324031adb');
  assert.is(md5(IDX_FILES.testLabels), '27ae3e4e09519cfbb04c329615203637');
  const ds = loadIdxDataset(dir);
  assert.is(ds.train.n, 60000);
  assert.is(ds.test.n, 10000);
  assert.is(ds.train.labels[0], 5);
});

test('corrupt IDX input is named precisely', () => {
  assert.throws(() => parseIdx(new Uint8Array([0x1f, 0x8b, 0, 0]), 'f'), (e: DatasetError) => /gzip-compressed/.test(e.message));
  assert.throws(() => parseIdx(new Uint8Array([0, 0, 8, 1, 0, 0, 0, 5, 1, 2]), 'f'), (e: DatasetError) => /size mismatch/.test(e.message));
  assert.throws(() => parseIdx(new Uint8Array([0, 0, 0x0d, 1, 0, 0, 0, 0]), 'f'), (e: DatasetError) => /element type/.test(e.message));
  assert.equal([...parseIdx(new Uint8Array([0, 0, 8, 1, 0, 0, 0, 2, 7, 9]), 'f').data], [7, 9]);
});

test('a truncated file or a sha256 mismatch is refused', () => {
  const src = resolveMnistDir();
  const dir = mkdtempSync(join(tmpdir(), 'normreg-idx-'));
  for (const f of Object.values(IDX_FILES)) copyFileSync(join(src, f), join(dir, f));
  const ds = loadIdxDataset(dir);
  assert.throws(() => loadIdxDataset(dir, { expectedSha256: '0'.repeat(64), specFile: 'specs/x.json' }),
    (e: DatasetError) => e.problems[0].pointer === '/dataset/sha256' && e.problems[0].file === 'specs/x.json');
  assert.is(loadIdxDataset(dir, { expectedSha256: ds.sha256 }).sha256, ds.sha256);
  writeFileSync(join(dir, IDX_FILES.testLabels), readFileSync(join(src, IDX_FILES.testLabels)).subarray(0, 5000));
  assert.throws(() => loadIdxDataset(dir), (e: DatasetError) => /t10k-labels-idx1-ubyte/.test(e.message) && /truncated or corrupt/.test(e.message));
});

test.run();
