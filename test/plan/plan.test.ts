import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { changedPointers, decide, formatReason, shareTraining, type Decision } from '../../src/plan/plan.js';
import { type RunRecord } from '../../src/result/types.js';
import { fingerprintRun, runComponents } from '../../src/plan/fingerprint.js';
import { type RunComponents } from '../../src/result/types.js';
import { resolveSpec } from '../../src/spec/load.js';

const spec = (extra: object = {}) => resolveSpec('specs/bn.json', { name: 'bn', title: 'BN', model: { norm: 'batch' }, ...extra }, 'smoke').spec!;
const env = { datasetSha256: 'd'.repeat(64), backend: 'wasm', versions: { 'tfjs-core': '4.22.0' }, code: 'c1' };
const comps = (extra: object = {}, e: Partial<typeof env> = {}): RunComponents => runComponents(spec(extra), { ...env, ...e });
const record = (c: RunComponents, payloadSha256 = 'p'): RunRecord => ({ format: 1, name: 'bn', profile: 'smoke', fingerprint: fingerprintRun(c), components: c, payloadSha256 });
const stored = (c: RunComponents, sha = 'p') => ({ kind: 'ok' as const, record: record(c), payloadSha256: sha });
const none = { kind: 'none' as const };

test('unchanged run is cached; --force re-runs', () => {
  const c = comps();
  assert.is(decide('bn', c, 2, stored(c), none, false).action, 'cached');
  const f = decide('bn', c, 2, stored(c), none, true);
  assert.is(f.action, 'train');
  assert.equal(f.reasons, [{ code: 'forced' }]);
});

test('a one-field spec change names the field', () => {
  const d = decide('bn', comps({ training: { l1: 0.001 } }), 2, stored(comps()), none, false);
  assert.is(d.action, 'train');
  assert.equal(d.reasons.map(formatReason), ['spec changed: /training/l1']);
});

test('the network and normalization enter the fingerprint when they differ from the defaults, and are named', () => {
  const layers = (f: number) => [{ type: 'conv', filters: f }, { type: 'relu' }, { type: 'globalAvgPool' }, { type: 'conv', filters: 10, kernel: 1 }, { type: 'logSoftmax' }];
  assert.equal(comps().inputs.model, { norm: 'batch', groups: [1, 1, 1, 1, 1, 1], dropout: 0.03 });
  assert.equal(decide('bn', comps({ model: { norm: 'batch', layers: layers(4) } }), 2, stored(comps()), none, false).reasons.map(formatReason),
    ['spec changed: /model/groups/0, /model/groups/1, /model/groups/2, /model/groups/3, /model/groups/4, /model/groups/5, /model/layers']);
  assert.equal(decide('bn', comps({ model: { norm: 'batch', layers: layers(6) } }), 2, stored(comps({ model: { norm: 'batch', layers: layers(4) } })), none, false).reasons.map(formatReason), ['spec changed: /model/layers/0/filters']);
  assert.equal(decide('bn', comps({ dataset: { normalize: { mean: 0.28, std: 0.35 } } }), 2, stored(comps()), none, false).reasons.map(formatReason), ['spec changed: /dataset/normalize']);
});

test('code, backend, versions and dataset changes are reasons', () => {
  const old = comps();
  assert.equal(decide('bn', comps({}, { code: 'c2' }), 2, stored(old), none, false).reasons.map(formatReason), ['code changed']);
  assert.equal(decide('bn', comps({}, { backend: 'cpu' }), 2, stored(old), none, false).reasons.map(formatReason), ['backend changed: wasm -> cpu']);
  assert.equal(decide('bn', comps({}, { versions: { 'tfjs-core': '4.23.0' } }), 2, stored(old), none, false).reasons.map(formatReason), ['versions changed: tfjs-core 4.22.0 -> 4.23.0']);
  assert.match(decide('bn', comps({}, { datasetSha256: 'e'.repeat(64) }), 2, stored(old), none, false).reasons.map(formatReason).join(), 'dataset changed');
});

test('missing, corrupt or edited results are re-run, never trusted', () => {
  const c = comps();
  assert.equal(decide('bn', c, 2, none, none, false).reasons, [{ code: 'no-result' }]);
  assert.equal(decide('bn', c, 2, { kind: 'corrupt', detail: 'x' }, none, false).reasons, [{ code: 'result-corrupt', detail: 'x' }]);
  assert.equal(decide('bn', c, 2, stored(c, 'other'), none, false).reasons, [{ code: 'result-edited' }]);
  assert.equal(decide('bn', c, 2, { kind: 'ok', record: null, payloadSha256: 'p' }, none, false).reasons, [{ code: 'no-run-record' }]);
});

test('a checkpoint of this run resumes; of another run or corrupt is ignored; --force starts over', () => {
  const c = comps();
  const fp = fingerprintRun(c);
  const r = decide('bn', c, 4, none, { kind: 'ok', fingerprint: fp, epoch: 3 }, false);
  assert.is(r.action, 'resume');
  assert.is(r.fromEpoch, 3);
  assert.match(r.reasons.map(formatReason).join('; '), 'resuming from the checkpoint after epoch 3/4');
  const other = decide('bn', c, 4, none, { kind: 'ok', fingerprint: 'x', epoch: 3 }, false);
  assert.is(other.action, 'train');
  assert.match(other.reasons.map(formatReason).join(), 'different run');
  assert.is(decide('bn', c, 4, none, { kind: 'corrupt', detail: 'checksum mismatch' }, false).action, 'train');
  assert.is(decide('bn', c, 4, none, { kind: 'ok', fingerprint: fp, epoch: 3 }, true).action, 'train');
});

test('shareTraining: of runs with one fingerprint, a stored result serves the rest, else a resuming run, else the first to train', () => {
  const d = (name: string, action: Decision['action'], fingerprint: string): { decision: Decision } => ({
    decision: { name, action, fingerprint, fromEpoch: action === 'resume' ? 3 : 0, reasons: action === 'resume' ? [{ code: 'no-result' }, { code: 'resume', epoch: 3, of: 20 }] : [{ code: action === 'cached' ? 'unchanged' : 'no-result' }] },
  });
  const out = shareTraining([d('a', 'train', 'f1'), d('b', 'train', 'f1'), d('c', 'resume', 'f1'), d('x', 'train', 'f2'), d('y', 'train', 'f3'), d('z', 'cached', 'f3')]);
  assert.equal(out.map((p) => [p.decision.name, p.decision.action, p.decision.copyFrom ?? '']), [
    ['a', 'copy', 'c'], ['b', 'copy', 'c'], ['c', 'resume', ''], ['x', 'train', ''], ['y', 'copy', 'z'], ['z', 'cached', ''],
  ]);
  // a copy drops its own checkpoint's promise and says where its result comes from
  assert.equal(out[0].decision.reasons.map(formatReason), ['no result', 'same training as c (same settings, seed, data, backend and code; only the name differs): its result is copied']);
  assert.is(out[0].decision.fromEpoch, 0);
  // a stored result outside the plan (another spec of the profile) serves too
  const stored = shareTraining([d('a', 'train', 'f1')], [d('row', 'cached', 'f1').decision, d('other', 'train', 'f1').decision]);
  assert.equal(stored.map((p) => [p.decision.action, p.decision.copyFrom]), [['copy', 'row']]);
  // distinct fingerprints are never shared
  assert.equal(shareTraining([d('a', 'train', 'f1'), d('b', 'train', 'f2')]).map((p) => p.decision.action), ['train', 'train']);
});

test('changedPointers lists leaves, escapes keys', () => {
  assert.equal(changedPointers({ a: { b: 1, c: [1, 2] }, 'x/y': 1 }, { a: { b: 2, c: [1, 3] }, 'x/y': 2 }), ['/a/b', '/a/c/1', '/x~1y']);
  assert.equal(changedPointers({ a: 1 }, { a: 1 }), []);
  assert.equal(changedPointers({ a: 1 }, { b: 1 }), ['/a', '/b']);
});

test.run();
