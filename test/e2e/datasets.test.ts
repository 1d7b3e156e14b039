/** End-to-end: IDX datasets (gzipped as downloaded) and networks declared in specs, through the
 * real CLI: validate and reproduce refuse bad data and impossible networks with exit 2, the spec
 * file, the JSON pointer and the fix, and write nothing; a good one trains. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { makeWorkspace, normreg } from '../helpers/workspace.js';

/** Writes a small IDX dataset (n images of side x side, labels i % classes), gzipped or not. */
function writeIdx(dir: string, opts: { side?: number; classes?: number; n?: number; gz?: boolean } = {}): void {
  const { side = 10, classes = 3, n = 60, gz = true } = opts;
  mkdirSync(dir, { recursive: true });
  const images = (count: number) => {
    const b = Buffer.alloc(16 + count * side * side);
    b.writeUInt32BE(0x803, 0);
    b.writeUInt32BE(count, 4);
    b.writeUInt32BE(side, 8);
    b.writeUInt32BE(side, 12);
    for (let i = 0; i < count; i++)
      for (let p = 0; p < side * side; p++) b[16 + i * side * side + p] = ((p % side) * (1 + (i % classes)) * 13 + i) & 255;
    return b;
  };
  const labels = (count: number) => {
    const b = Buffer.alloc(8 + count);
    b.writeUInt32BE(0x801, 0);
    b.writeUInt32BE(count, 4);
    for (let i = 0; i < count; i++) b[8 + i] = i % classes;
    return b;
  };
  const files: [string, Buffer][] = [
    ['train-images-idx3-ubyte', images(n)], ['train-labels-idx1-ubyte', labels(n)],
    ['t10k-images-idx3-ubyte', images(n / 2)], ['t10k-labels-idx1-ubyte', labels(n / 2)],
  ];
  for (const [f, b] of files) writeFileSync(join(dir, gz ? `${f}.gz` : f), gz ? gzipSync(b) : b);
}

const NET = [
  { type: 'conv', filters: 4, kernel: 3, padding: 'same', bias: true }, { type: 'relu' }, { type: 'norm' },
  { type: 'maxPool' }, { type: 'conv', filters: 6, kernel: 3 }, { type: 'relu' }, { type: 'norm', kind: 'group', groups: 3 },
  { type: 'globalAvgPool' }, { type: 'dropout', p: 0.1 }, { type: 'dense', units: 3 }, { type: 'logSoftmax' },
];

const idxSpec = (name: string, extra: { model?: object; dataset?: object; augmentation?: object } = {}) => ({
  name, title: name.toUpperCase(),
  dataset: { source: 'idx', path: '../data', normalize: { mean: 0.5, std: 0.25 }, ...extra.dataset },
  model: { norm: 'batch', layers: NET, ...extra.model },
  augmentation: { enabled: false, ...extra.augmentation },
  profiles: { smoke: { dataset: { trainSize: null, testSize: null }, training: { epochs: 1, batchSize: 16 } } },
});

test('a gzipped IDX dataset with its own network and normalization validates, trains and verifies', async () => {
  const ws = makeWorkspace({ 'tiny.json': idxSpec('tiny') });
  writeIdx(join(ws, 'data'));
  const v = await normreg(ws, ['validate']);
  assert.is(v.exitCode, 0, v.stderr);
  assert.match(v.stdout, 'valid   specs/tiny.json (tiny)');
  const r = await normreg(ws, ['reproduce', '--profile', 'smoke', '--backend', 'wasm']);
  assert.is(r.exitCode, 0, r.stdout + r.stderr);
  assert.match(r.stdout, 'written tiny: new golden golden/smoke/wasm/tiny.json');
  const result = JSON.parse(readFileSync(join(ws, 'results/smoke/tiny/result.json'), 'utf8'));
  assert.equal([result.trainSize, result.testSize], [60, 30]);
  const again = await normreg(ws, ['reproduce', '--profile', 'smoke', '--backend', 'wasm', '--force'], { CI: 'true' });
  assert.is(again.exitCode, 0, again.stdout + again.stderr);
  assert.match(again.stdout, 'ok      tiny: matches golden/smoke/wasm/tiny.json');
});

test('dataset problems: exit 2 with the spec file, /dataset/path, the data file and the fix; nothing written', async () => {
  const ws = makeWorkspace({ 'nodir.json': idxSpec('nodir', { dataset: { path: '../no-such-data' } }) });
  const r = await normreg(ws, ['validate']);
  assert.is(r.exitCode, 2, r.stderr);
  assert.match(r.stderr, /specs\/nodir\.json \/dataset\/path: \S*no-such-data: dataset directory not found \(fix: check \/dataset\/path/);
  const ws2 = makeWorkspace({ 'bad.json': idxSpec('bad') });
  writeIdx(join(ws2, 'data'));
  writeFileSync(join(ws2, 'data', 't10k-labels-idx1-ubyte.gz'), gzipSync(Buffer.from([0, 0, 8, 1, 0, 0, 0, 9, 1])));
  const v = await normreg(ws2, ['validate']);
  assert.is(v.exitCode, 2, v.stderr);
  assert.match(v.stderr, /specs\/bad\.json \/dataset\/path: \S*t10k-labels-idx1-ubyte\.gz: size mismatch: header says 9 items, file holds 1 bytes of data \(truncated or corrupt\) \(fix: /);
  const p = await normreg(ws2, ['reproduce', '--profile', 'smoke']);
  assert.is(p.exitCode, 2, p.stderr);
  assert.not.ok(existsSync(join(ws2, 'results')));
  assert.not.ok(existsSync(join(ws2, 'golden')));
  const ws3 = makeWorkspace({ 'aug.json': idxSpec('aug', { augmentation: { enabled: true } }) });
  writeIdx(join(ws3, 'data'), { gz: false });
  const a = await normreg(ws3, ['validate']);
  assert.is(a.exitCode, 2, a.stderr);
  assert.match(a.stderr, "specs/aug.json /augmentation/enabled: the study's augmentation is written for 28x28 images; this dataset's are 10x10 (fix: set /augmentation/enabled to false)");
});

test('impossible networks: exit 2 pointing into /model/layers with the shape there; nothing written', async () => {
  const layers = (patch: (l: Record<string, unknown>[]) => void) => {
    const l = structuredClone(NET) as Record<string, unknown>[];
    patch(l);
    return l;
  };
  const ws = makeWorkspace({
    'groups.json': idxSpec('groups', { model: { layers: layers((l) => { l[6].groups = 4; }) } }),
    'classes.json': idxSpec('classes', { model: { layers: layers((l) => { l[9].units = 10; }) } }),
    'small.json': idxSpec('small', { model: { layers: layers((l) => { l[4].kernel = 7; }) } }),
    'field.json': idxSpec('field', { model: { layers: layers((l) => { l[1].filters = 3; }) } }),
  });
  writeIdx(join(ws, 'data'));
  const r = await normreg(ws, ['validate']);
  assert.is(r.exitCode, 2, r.stderr);
  assert.match(r.stderr, "specs/field.json /model/layers/1/filters: 'filters' does not apply to a relu layer (fix: remove it; a relu layer takes no fields)");
  const d = await normreg(ws, ['validate', 'specs/groups.json', 'specs/classes.json', 'specs/small.json']);
  assert.is(d.exitCode, 2, d.stderr);
  assert.match(d.stderr, 'specs/groups.json /model/layers/6/groups: 4 groups do not divide the 6 channels of /model/layers/6 (input 3x3x6) (fix: use a divisor of 6: 1, 2, 3, 6)');
  assert.match(d.stderr, 'specs/classes.json /model/layers/9/units: the network outputs 10 scores, the dataset has 3 classes (fix: give the last conv or dense layer 3 outputs)');
  assert.match(d.stderr, "specs/small.json /model/layers/4/kernel: spatial size falls below 1: a 7x7 'valid' conv on input 5x5x4 gives -1x-1");
  const p = await normreg(ws, ['reproduce', '--profile', 'smoke', '--only', 'classes']);
  assert.is(p.exitCode, 2, p.stderr);
  assert.not.ok(existsSync(join(ws, 'results')));
});

test('MNIST specs: a sweep axis that breaks the default network names the model field, the layer and the run', async () => {
  const ws = makeWorkspace({ 'm.json': { name: 'm', title: 'M', model: { norm: 'group' }, matrix: { w: { set: ['/model/layers/4/filters'], values: [16, 10] } } } });
  const r = await normreg(ws, ['validate']);
  assert.is(r.exitCode, 2, r.stderr);
  assert.match(r.stderr, "specs/m.json /model/groups: 4 groups do not divide the 10 channels of /model/layers/6 (input 24x24x10) (in matrix run w_10) (fix: use a divisor of 10: 1, 2, 5, 10, or state \"groups\" in /model/layers/6)");
});

test.run();
