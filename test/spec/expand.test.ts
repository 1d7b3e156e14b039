import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { expandSpec, listSpecFiles, loadSpecs } from '../../src/spec/load.js';
import { parseSeeds } from '../../src/commands/flags.js';
import { fingerprintSpec } from '../../src/plan/fingerprint.js';

const sweep = (extra: object = {}) => ({
  name: 'bn-sweep', title: 'BN sweep', model: { norm: 'batch' },
  matrix: { batch: { set: ['/training/batchSize'], values: [32, 64] }, l1: { set: ['/training/l1'], values: [0, 0.001] } },
  references: [{ at: { batch: 64, l1: 0 }, bestTrainAcc: 98.5, bestTestAcc: 99.5 }],
  ...extra,
});

test('a matrix expands to every combination, named and titled by its axis values', () => {
  const r = expandSpec('specs/bn-sweep.json', sweep(), 'full');
  assert.equal(r.problems, []);
  assert.equal(r.specs.map((s) => s.name), ['bn-sweep.batch_32.l1_0', 'bn-sweep.batch_32.l1_0.001', 'bn-sweep.batch_64.l1_0', 'bn-sweep.batch_64.l1_0.001']);
  const s = r.specs[3];
  assert.is(s.training.batchSize, 64);
  assert.is(s.training.l1, 0.001);
  assert.is(s.title, 'BN sweep (batch 64, l1 0.001)');
  assert.equal(s.sweep, { name: 'bn-sweep', title: 'BN sweep', axes: [['batch', 64], ['l1', 0.001]] });
  assert.equal(r.specs[2].reference, { bestTrainAcc: 98.5, bestTestAcc: 99.5 });
  assert.equal(r.specs[0].reference, {});
});

test('one axis may set several fields (GroupNorm groups in every block)', () => {
  const r = expandSpec('specs/gn.json', { name: 'gn', title: 'GN', model: { norm: 'group' }, matrix: { groups: { set: ['/model/firstBlockGroups', '/model/groups'], values: [2, 4] } } }, 'full');
  assert.equal(r.specs.map((s) => s.model.groups), [[2, 2, 2, 2, 2, 2], [4, 4, 4, 4, 4, 4]]);
});

test('an axis can set a field of one layer; the default network is the starting list', () => {
  const r = expandSpec('specs/bn.json', { name: 'bn', title: 'BN', model: { norm: 'batch' }, matrix: { width: { set: ['/model/layers/0/filters'], values: [8, 12] } } }, 'full');
  assert.equal(r.problems, []);
  assert.equal(r.specs.map((s) => (s.model.layers[0] as { filters: number }).filters), [8, 12]);
  assert.equal(r.specs.map((s) => s.network.isDefault), [true, false]);
  const bad = expandSpec('specs/bn.json', { name: 'bn', title: 'BN', model: { norm: 'batch' }, matrix: { w: { set: ['/model/layers/40/filters'], values: [8] } } }, 'full');
  assert.equal(bad.problems.map((p) => [p.pointer, p.message]), [['/matrix/w/set/0', "/model/layers has 29 layers (0-28); '40' is not one of them"]]);
  const shape = expandSpec('specs/bn.json', { name: 'bn', title: 'BN', model: { norm: 'group' }, matrix: { g: { set: ['/model/layers/6/groups'], values: [4, 3] } } }, 'full');
  assert.equal(shape.problems.map((p) => [p.pointer, p.message]), [['/model/layers/6/groups', '3 groups do not divide the 16 channels of /model/layers/6 (input 24x24x16) (in matrix run g_3)']]);
});

test('matrix mistakes are named with the run they come from', () => {
  const bad = expandSpec('specs/bn-sweep.json', sweep({ matrix: { l1: { set: ['/training/l1'], values: [0, -1] } }, references: [] }), 'full');
  assert.equal(bad.specs, []);
  assert.match(bad.problems.map((p) => `${p.pointer}: ${p.message}`).join('\n'), '/training/l1: must be >= 0 (got -1) (in matrix run l1_-1)');
  const typo = expandSpec('specs/bn-sweep.json', sweep({ matrix: { l1: { set: ['/training/l11'], values: [0] } }, references: [] }), 'full');
  assert.match(typo.problems.map((p) => `${p.pointer}: ${p.message} ${p.fix}`).join('\n'), "unknown key 'l11'");
  const ref = expandSpec('specs/bn-sweep.json', sweep({ references: [{ at: { batch: 48 }, bestTestAcc: 99 }, { at: { lr: 1 }, bestTestAcc: 99 }] }), 'full');
  assert.match(ref.problems.map((p) => `${p.pointer}: ${p.message}`).join('\n'), '/references/0/at/batch: 48 is not among the values of axis \'batch\' [32, 64]');
  assert.match(ref.problems.map((p) => `${p.pointer}: ${p.message}`).join('\n'), "/references/1/at/lr: 'lr' is not a matrix axis");
  const notGroup = expandSpec('specs/bn-sweep.json', sweep({ matrix: { g: { set: ['/model/groups'], values: [2] } }, references: [] }), 'full');
  assert.match(notGroup.problems[0].message, "'groups' only applies to \"norm\": \"group\"");
  const pointer = expandSpec('specs/bn-sweep.json', sweep({ matrix: { g: { set: ['/name'], values: ['x'] } }, references: [] }), 'full');
  assert.ok(pointer.problems.length > 0);
});

test('seeds: the spec seed keeps the plain name, others get .seed_N; profile and CLI override', () => {
  const doc = { name: 'bn', title: 'BN', model: { norm: 'batch' }, profiles: { smoke: { seeds: [1, 2, 3] } } };
  assert.equal(expandSpec('specs/bn.json', doc, 'full').specs.map((s) => s.name), ['bn']);
  const smoke = expandSpec('specs/bn.json', doc, 'smoke').specs;
  assert.equal(smoke.map((s) => [s.name, s.seed, s.group]), [['bn', 1, 'bn'], ['bn.seed_2', 2, 'bn'], ['bn.seed_3', 3, 'bn']]);
  assert.equal(expandSpec('specs/bn.json', doc, 'full', [4, 5]).specs.map((s) => s.name), ['bn.seed_4', 'bn.seed_5']);
});

test('seedsAt: some runs of a matrix get their own seeds (first match wins, the profile\'s before the top level); --seeds overrides', () => {
  const doc = sweep({
    seeds: [1],
    seedsAt: [{ at: { batch: 32 }, seeds: [1, 2] }],
    profiles: { full: { seedsAt: [{ at: { batch: 32, l1: 0 }, seeds: [1, 2, 3] }] } },
  });
  const r = expandSpec('specs/bn-sweep.json', doc, 'full');
  assert.equal(r.problems, []);
  assert.equal(r.specs.map((s) => s.name), [
    'bn-sweep.batch_32.l1_0', 'bn-sweep.batch_32.l1_0.seed_2', 'bn-sweep.batch_32.l1_0.seed_3',
    'bn-sweep.batch_32.l1_0.001', 'bn-sweep.batch_32.l1_0.001.seed_2',
    'bn-sweep.batch_64.l1_0', 'bn-sweep.batch_64.l1_0.001',
  ]);
  assert.equal(r.specs.map((s) => s.group), ['bn-sweep.batch_32.l1_0', 'bn-sweep.batch_32.l1_0', 'bn-sweep.batch_32.l1_0', 'bn-sweep.batch_32.l1_0.001', 'bn-sweep.batch_32.l1_0.001', 'bn-sweep.batch_64.l1_0', 'bn-sweep.batch_64.l1_0.001']);
  // smoke has no profile seedsAt: the top-level list applies
  assert.equal(expandSpec('specs/bn-sweep.json', doc, 'smoke').specs.length, 6);
  assert.equal(expandSpec('specs/bn-sweep.json', doc, 'full', [7]).specs.map((s) => s.name), ['bn-sweep.batch_32.l1_0.seed_7', 'bn-sweep.batch_32.l1_0.001.seed_7', 'bn-sweep.batch_64.l1_0.seed_7', 'bn-sweep.batch_64.l1_0.001.seed_7']);
  // the seeds a run is trained under never change its settings or fingerprint
  const plain = expandSpec('specs/bn-sweep.json', sweep(), 'full').specs;
  assert.equal(fingerprintSpec(r.specs[0]), fingerprintSpec(plain[0]));
});

test('seedsAt mistakes: unknown axis or value, a spec without a matrix, a malformed entry', () => {
  const bad = expandSpec('specs/bn-sweep.json', sweep({ profiles: { full: { seedsAt: [{ at: { batch: 48 }, seeds: [2] }, { at: { lr: 1 }, seeds: [2] }] } } }), 'full');
  assert.equal(bad.problems.map((p) => `${p.pointer}: ${p.message}`), [
    "/profiles/full/seedsAt/0/at/batch: 48 is not among the values of axis 'batch' [32, 64]",
    "/profiles/full/seedsAt/1/at/lr: 'lr' is not a matrix axis",
  ]);
  const plain = expandSpec('specs/bn.json', { name: 'bn', title: 'BN', model: { norm: 'batch' }, seedsAt: [{ at: { batch: 32 }, seeds: [2] }] }, 'full');
  assert.equal(plain.problems.map((p) => [p.pointer, p.fix]), [['/seedsAt', 'use "seeds" instead']]);
  const shape = expandSpec('specs/bn-sweep.json', sweep({ seedsAt: [{ at: { batch: 32 } }] }), 'full');
  assert.is(shape.problems[0].pointer, '/seedsAt/0');
  assert.match(shape.problems[0].message, 'seeds');
});

test('parseSeeds: lists and ranges; junk refused', () => {
  assert.equal(parseSeeds('1,2,3'), [1, 2, 3]);
  assert.equal(parseSeeds('1-3,7'), [1, 2, 3, 7]);
  assert.equal(parseSeeds('2, 2'), [2]);
  for (const bad of ['', 'a', '3-1', '1,,2', '-1']) assert.is(parseSeeds(bad), null, bad);
});

test('tags select specs by name and never change a fingerprint; the committed specs tag the study\'s seven rows "table" and declare the full profile\'s seeds', () => {
  const doc = { name: 'bn', title: 'BN', model: { norm: 'batch' } };
  const plain = expandSpec('specs/bn.json', doc, 'full').specs[0];
  const tagged = expandSpec('specs/bn.json', { ...doc, tags: ['table'] }, 'full').specs[0];
  assert.equal(tagged.tags, ['table']);
  assert.equal(plain.tags, []);
  assert.is(fingerprintSpec(tagged), fingerprintSpec(plain));
  assert.ok(expandSpec('specs/bn.json', { ...doc, tags: ['Not A Tag'] }, 'full').problems.length > 0);
  const full = loadSpecs(listSpecFiles('specs'), 'full');
  const table = full.filter((s) => s.tags.includes('table'));
  assert.equal([...new Set(table.map((s) => s.group))].sort(), ['batchnorm', 'batchnorm-l1', 'batchnorm-l1-l2', 'groupnorm', 'groupnorm-l1', 'layernorm', 'layernorm-l2']);
  assert.is(table.length, 3 * 5 + 4 * 3);
  // 66 sweep runs + 27 row runs + seeds 2-3 of the five runs the batch-size claims compare (and of BatchNorm's batch 64 twin)
  assert.is(full.length, 93 + 10);
});

test.run();
