/** Spec schema problems: hints for keys from other frameworks, the allowed keys of the object the
 * typo is in, and type words with their article. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { validateSpecDocument } from '../../src/spec/validate.js';

const lines = (doc: object) => validateSpecDocument('specs/x.json', doc).map((p) => `${p.pointer}: ${p.message} | ${p.fix}`);

test("l2 and weight_decay lead to weightDecay, not to 'lr'", () => {
  const l = lines({ name: 'x', title: 'X', training: { l2: 0.001, weight_decay: 0.1 } });
  assert.ok(l.includes("/training/l2: unknown key 'l2' | did you mean 'weightDecay'?"), l.join('\n'));
  assert.ok(l.includes("/training/weight_decay: unknown key 'weight_decay' | did you mean 'weightDecay'?"), l.join('\n'));
});

test('an alias only applies where its key is allowed; a typo still gets the nearest key', () => {
  const l = lines({ name: 'x', title: 'X', model: { l2: 1, dropuot: 0.1 }, training: { lR: 0.1 } });
  assert.ok(l.includes("/model/l2: unknown key 'l2' | remove it; allowed keys here: norm, groups, firstBlockGroups, dropout, layers"), l.join('\n'));
  assert.ok(l.includes("/model/dropuot: unknown key 'dropuot' | did you mean 'dropout'?"), l.join('\n'));
  assert.ok(l.includes("/training/lR: unknown key 'lR' | did you mean 'lr'?"), l.join('\n'));
});

test("a key under /model/ lists the model's keys, also inside a profile", () => {
  const l = lines({ name: 'x', title: 'X', model: { xyzzy: 1 }, profiles: { smoke: { model: { qq: 1 } } } });
  assert.ok(l.includes("/model/xyzzy: unknown key 'xyzzy' | remove it; allowed keys here: norm, groups, firstBlockGroups, dropout, layers"), l.join('\n'));
  assert.ok(l.includes("/profiles/smoke/model/qq: unknown key 'qq' | remove it; allowed keys here: norm, groups, firstBlockGroups, dropout, layers"), l.join('\n'));
  assert.not.ok(l.some((x) => x.includes('matrix')), 'top-level keys listed');
});

test('types read as English: an integer, an integer or null', () => {
  const l = lines({ name: 'x', title: 'X', training: { epochs: '3' }, dataset: { trainSize: 'all' } });
  assert.ok(l.includes('/training/epochs: must be an integer (got "3") | write an integer here'), l.join('\n'));
  assert.ok(l.includes('/dataset/trainSize: must be an integer or null (got "all") | write an integer or null here'), l.join('\n'));
});

test.run();
