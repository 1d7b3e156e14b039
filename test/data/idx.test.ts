import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, copyFileSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { parseIdx, loadIdxDataset, resolveMnistDir, IDX_FILES, candidateNames, decodeStored } from '../../src/data/idx.js';
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

/** A tiny IDX dataset: n images of rows x cols and labels, as the four byte arrays. */
function idxFiles(rows: number, cols: number, labels: number[], testLabels: number[]): Record<string, Uint8Array> {
  const images = (n: number) => {
    const b = new Uint8Array(16 + n * rows * cols);
    const v = new DataView(b.buffer);
    v.setUint32(0, 0x803);
    v.setUint32(4, n);
    v.setUint32(8, rows);
    v.setUint32(12, cols);
    for (let i = 16; i < b.length; i++) b[i] = (i * 31) & 255;
    return b;
  };
  const labs = (l: number[]) => {
    const b = new Uint8Array(8 + l.length);
    new DataView(b.buffer).setUint32(0, 0x801);
    new DataView(b.buffer).setUint32(4, l.length);
    b.set(l, 8);
    return b;
  };
  return {
    [IDX_FILES.trainImages]: images(labels.length), [IDX_FILES.trainLabels]: labs(labels),
    [IDX_FILES.testImages]: images(testLabels.length), [IDX_FILES.testLabels]: labs(testLabels),
  };
}

test('gzipped files read as stored; the sha256 covers the decompressed bytes, so gz and raw agree', () => {
  const files = idxFiles(5, 7, [0, 1, 2, 1], [2, 0]);
  const raw = mkdtempSync(join(tmpdir(), 'normreg-idx-'));
  const gz = mkdtempSync(join(tmpdir(), 'normreg-idx-'));
  const dotted = mkdtempSync(join(tmpdir(), 'normreg-idx-'));
  for (const [f, b] of Object.entries(files)) {
    writeFileSync(join(raw, f), b);
    writeFileSync(join(gz, `${f}.gz`), gzipSync(b));
    writeFileSync(join(dotted, f.replace(/-(idx\d-ubyte)$/, '.$1')), b);
  }
  const a = loadIdxDataset(raw);
  const b = loadIdxDataset(gz);
  assert.is(a.sha256, b.sha256);
  assert.is(loadIdxDataset(dotted).sha256, a.sha256);
  assert.equal([a.train.n, a.train.rows, a.train.cols, a.classes], [4, 5, 7, 3]);
  assert.equal([...b.test.labels], [2, 0]);
  assert.ok(b.files[0].endsWith('train-images-idx3-ubyte.gz'));
  assert.equal(candidateNames('train-images-idx3-ubyte'), ['train-images-idx3-ubyte', 'train-images-idx3-ubyte.gz', 'train-images.idx3-ubyte', 'train-images.idx3-ubyte.gz']);
});

test('corrupt gzip, a test label beyond the classes and mismatched image sizes are refused', () => {
  assert.throws(() => decodeStored(new Uint8Array([0x1f, 0x8b, 1, 2, 3]), 'f.gz'), (e: DatasetError) => /f\.gz/.test(e.message) && /gzip data is corrupt/.test(e.message));
  const dir = mkdtempSync(join(tmpdir(), 'normreg-idx-'));
  for (const [f, b] of Object.entries(idxFiles(4, 4, [0, 1, 1], [0, 2]))) writeFileSync(join(dir, f), b);
  assert.throws(() => loadIdxDataset(dir), (e: DatasetError) => /test label 2 at index 1 is not among the training set's classes 0-1/.test(e.message));
  const other = idxFiles(4, 5, [0, 1], [0]);
  writeFileSync(join(dir, IDX_FILES.testImages), other[IDX_FILES.testImages]);
  writeFileSync(join(dir, IDX_FILES.testLabels), other[IDX_FILES.testLabels]);
  assert.throws(() => loadIdxDataset(dir), (e: DatasetError) => /test images are 4x5, training images 4x4/.test(e.message));
  assert.throws(() => loadIdxDataset(join(dir, 'nope')), (e: DatasetError) => /dataset directory not found/.test(e.message));
});

test.run();
