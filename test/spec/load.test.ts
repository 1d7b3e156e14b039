import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { loadSpecs, resolveSpec, parseSpecText, listSpecFiles } from '../../src/spec/load.js';
import { SpecError } from '../../src/errors.js';

const ok = (extra: object = {}) => ({ name: 'bn', title: 'BN', model: { norm: 'batch' }, ...extra });

test('defaults fill in the study settings; a spec states only what differs', () => {
  const r = resolveSpec('specs/bn.json', ok({ training: { l1: 0.001 } }), 'full');
  assert.equal(r.problems, []);
  const s = r.spec!;
  assert.is(s.training.epochs, 20);
  assert.is(s.training.batchSize, 64);
  assert.is(s.training.l1, 0.001);
  assert.is(s.training.schedule.type, 'one-cycle');
  assert.is(s.model.dropout, 0.03);
  assert.is(s.seed, 1);
  assert.equal(s.augmentation.scale, [0.8, 1.2]);
});

test('smoke profile overrides come from defaults and from the spec', () => {
  const s = resolveSpec('specs/bn.json', ok({ profiles: { smoke: { training: { epochs: 3 } } } }), 'smoke').spec!;
  assert.is(s.training.epochs, 3);
  assert.is(s.dataset.trainSize, 6000);
  assert.is(resolveSpec('specs/bn.json', ok(), 'full').spec!.dataset.trainSize, null);
});

test('group norm: defaults 2 groups in block 1 and 4 elsewhere', () => {
  const s = resolveSpec('specs/gn.json', { name: 'gn', title: 'GN', model: { norm: 'group' } }, 'full').spec!;
  assert.equal(s.model.groups, [2, 4, 4, 4, 4, 4]);
});

test('all schema errors at once, with pointers and fixes', () => {
  const r = resolveSpec('specs/bn.json', { name: 'bn', title: 'BN', model: { norm: 'btach' }, training: { l1: -0.001, lR: 0.1 } }, 'full');
  const lines = r.problems.map((p) => `${p.pointer}: ${p.message} | ${p.fix}`);
  assert.ok(lines.includes('/model/norm: must be one of "batch", "layer", "group" (got "btach") | use one of the listed values'), lines.join('\n'));
  assert.ok(lines.includes('/training/l1: must be >= 0 (got -0.001) | use a value >= 0'), lines.join('\n'));
  assert.ok(lines.includes("/training/lR: unknown key 'lR' | did you mean 'lr'?"), lines.join('\n'));
});

test('wrong types are named', () => {
  const r = resolveSpec('specs/bn.json', ok({ training: { epochs: '20' } }), 'full');
  assert.is(r.problems[0].pointer, '/training/epochs');
  assert.match(r.problems[0].message, 'must be an integer (got "20")');
});

test('groups that do not divide the channels are refused, pointing into the profile when set there', () => {
  const r = resolveSpec('specs/gn.json', { name: 'gn', title: 'GN', model: { norm: 'group', groups: 3 } }, 'full');
  assert.is(r.problems[0].pointer, '/model/groups');
  assert.match(r.problems[0].message, '3 groups do not divide the 16 channels');
  const r2 = resolveSpec('specs/gn.json', { name: 'gn', title: 'GN', model: { norm: 'group' }, profiles: { smoke: { model: { firstBlockGroups: 3 } } } }, 'smoke');
  assert.is(r2.problems[0].pointer, '/profiles/smoke/model/firstBlockGroups');
});

test('a stated network: problems point into the list with the shape there; a default-list problem says where the list is', () => {
  const layers = [{ type: 'conv', filters: 6, kernel: 5 }, { type: 'relu' }, { type: 'norm', kind: 'group', groups: 4 }, { type: 'globalAvgPool' }, { type: 'conv', filters: 10, kernel: 1 }, { type: 'logSoftmax' }];
  const r = resolveSpec('specs/gn.json', { name: 'gn', title: 'GN', model: { norm: 'batch', layers } }, 'full');
  assert.equal(r.problems.map((p) => [p.pointer, p.message, p.fix]), [['/model/layers/2/groups', '4 groups do not divide the 6 channels of /model/layers/2 (input 24x24x6)', 'use a divisor of 6: 1, 2, 3, 6']]);
  const out = resolveSpec('specs/gn.json', { name: 'gn', title: 'GN', model: { norm: 'batch' }, profiles: { smoke: { model: { layers: [...layers.slice(0, 2), { type: 'globalAvgPool' }, { type: 'conv', filters: 7, kernel: 1 }, { type: 'logSoftmax' }] } } } }, 'smoke');
  assert.equal(out.problems.map((p) => [p.pointer, p.message]), [['/profiles/smoke/model/layers/3/filters', 'the network outputs 7 scores, the dataset has 10 classes']]);
  const ok = resolveSpec('specs/gn.json', { name: 'gn', title: 'GN', model: { norm: 'layer', layers: [...layers.slice(0, 2), { type: 'norm' }, ...layers.slice(3)] } }, 'full');
  assert.equal(ok.problems, []);
  assert.equal(ok.spec!.model.groups, [1]);
  assert.is(ok.spec!.network.isDefault, false);
});

test('groups with a non-group norm is a mistake', () => {
  const r = resolveSpec('specs/bn.json', ok({ model: { norm: 'batch', groups: 4 } }), 'full');
  assert.match(r.problems[0].message, "'groups' only applies to \"norm\": \"group\"");
});

test('names that could escape results/ or golden/ are refused', () => {
  for (const name of ['../evil', 'a/b', '.hidden', 'UPPER', '']) {
    const r = resolveSpec(`specs/${name}.json`, { name, title: 'x', model: { norm: 'batch' } }, 'full');
    assert.ok(r.problems.some((p) => p.pointer === '/name'), `name ${JSON.stringify(name)} accepted`);
  }
});

test('name must match the file name', () => {
  const r = resolveSpec('specs/other.json', ok(), 'full');
  assert.match(r.problems[0].message, "name 'bn' differs from the file name 'other.json'");
});

test('invalid JSON gives line and column', () => {
  const r = parseSpecText('specs/bn.json', '{\n  "name": "bn",\n}');
  assert.match(r.problems[0].message, /invalid JSON at line 3, column 1/);
});

test('dataset: idx needs a path; sizes above MNIST are refused', () => {
  assert.match(resolveSpec('specs/bn.json', ok({ dataset: { source: 'idx' } }), 'full').problems[0].message, 'needs a path');
  assert.match(resolveSpec('specs/bn.json', ok({ dataset: { trainSize: 70000 } }), 'full').problems[0].message, 'exceeds');
});

test('loadSpecs: duplicate names across files and problems from every file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'normreg-spec-'));
  writeFileSync(join(dir, 'a.json'), JSON.stringify({ name: 'a', title: 'A', model: { norm: 'batch' } }));
  writeFileSync(join(dir, 'b.json'), JSON.stringify({ name: 'a', title: 'B', model: { norm: 'batch' } }));
  writeFileSync(join(dir, 'c.json'), '{ nope');
  try {
    loadSpecs(listSpecFiles(dir), 'full');
    assert.unreachable('should throw');
  } catch (e) {
    assert.instance(e, SpecError);
    const msgs = (e as SpecError).problems.map((p) => p.message).join('\n');
    assert.match(msgs, 'invalid JSON');
    assert.match(msgs, "name 'a' differs from the file name 'b.json'");
  }
});

test('the repository specs are valid and carry the study reference values', () => {
  const specs = loadSpecs(listSpecFiles(new URL('../../specs', import.meta.url).pathname), 'full');
  const rows = specs.filter((s) => !s.sweep);
  assert.equal([...new Set(rows.map((s) => s.group))].sort(), ['batchnorm', 'batchnorm-l1', 'batchnorm-l1-l2', 'groupnorm', 'groupnorm-l1', 'layernorm', 'layernorm-l2']);
  // seeds 1-5 for the three unregularized rows, 1-3 for the four regularized ones
  const seedsOf = (g: string) => rows.filter((s) => s.group === g).map((s) => s.seed);
  for (const g of ['batchnorm', 'groupnorm', 'layernorm']) assert.equal(seedsOf(g), [1, 2, 3, 4, 5], g);
  for (const g of ['batchnorm-l1', 'groupnorm-l1', 'layernorm-l2', 'batchnorm-l1-l2']) assert.equal(seedsOf(g), [1, 2, 3], g);
  for (const s of rows) assert.type(s.reference.bestTestAcc, 'number');
  // the study's sweeps: BatchNorm and LayerNorm 3 batch sizes x 3 L1 x 3 L2, GroupNorm 2 batch sizes x 3 L1 x 2 group counts
  const count = (n: string) => new Set(specs.filter((s) => s.sweep?.name === n).map((s) => s.group)).size;
  assert.equal([count('batchnorm-sweep'), count('layernorm-sweep'), count('groupnorm-sweep')], [27, 27, 12]);
  // the runs the batch-size claims compare carry seeds 1-3 (seedsAt), every other sweep run seed 1
  const claimed = ['batchnorm-sweep.batch_32.l1_0.l2_0', 'batchnorm-sweep.batch_64.l1_0.l2_0', 'batchnorm-sweep.batch_128.l1_0.l2_0', 'groupnorm-sweep.batch_32.l1_0.groups_2', 'groupnorm-sweep.batch_32.l1_0.groups_4'];
  for (const g of claimed) assert.equal(specs.filter((s) => s.group === g).map((s) => s.seed), [1, 2, 3], g);
  assert.is(specs.filter((s) => s.sweep && !claimed.includes(s.group)).every((s) => s.seed === 1), true);
  // every published sweep row found its run
  const refs = (n: string, k: 'bestTestAcc' | 'finalTestAcc') => new Set(specs.filter((s) => s.sweep?.name === n && s.reference[k] !== undefined).map((s) => s.group)).size;
  assert.equal([refs('batchnorm-sweep', 'bestTestAcc'), refs('layernorm-sweep', 'bestTestAcc'), refs('groupnorm-sweep', 'finalTestAcc')], [18, 18, 12]);
  assert.equal(specs.find((s) => s.name === 'groupnorm-sweep.batch_64.l1_0.groups_2')!.model.groups, [2, 2, 2, 2, 2, 2]);
  assert.is(specs.find((s) => s.name === 'groupnorm-sweep.batch_64.l1_0.groups_2')!.training.epochs, 15);
});

test.run();
