/** Copied specs: same title, same reference block, their tags; warnings on the later file. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { findCopiedSpecs } from '../../src/spec/copies.js';
import type { ResolvedSpec } from '../../src/spec/types.js';

const spec = (file: string, title: string, reference: object = {}, tags: string[] = []) => ({ file, title, reference, tags }) as unknown as ResolvedSpec;
const bn = spec('specs/batchnorm.json', 'BatchNorm', { bestTestAcc: 99.58 }, ['table']);
const ln = spec('specs/layernorm.json', 'LayerNorm', { bestTestAcc: 99.48 }, ['table']);

test('distinct specs sharing a tag: no warning', () => {
  assert.equal(findCopiedSpecs([bn, ln], [bn, ln]), []);
});

test('a copy with only its name changed: title, reference and tag, on the copy, naming the original', () => {
  const mine = spec('specs/mine.json', 'BatchNorm', { bestTestAcc: 99.58 }, ['table']);
  const w = findCopiedSpecs([bn, ln, mine], [bn, ln, mine]).map((p) => `${p.file} ${p.pointer}: ${p.message}`);
  assert.equal(w, [
    "specs/mine.json /title: the same title as specs/batchnorm.json ('BatchNorm'): a copied spec?",
    'specs/mine.json /reference: the same reference numbers as specs/batchnorm.json: the study published them for that experiment',
    "specs/mine.json /tags: copies the tag(s) 'table' of specs/batchnorm.json: --only table now selects it too",
  ]);
});

test('empty reference blocks are not a copy; a named file is checked against the whole folder', () => {
  const a = spec('specs/a.json', 'A');
  const b = spec('specs/b.json', 'B');
  assert.equal(findCopiedSpecs([a, b], [a, b]), []);
  const copy = spec('specs/a-copy.json', 'BatchNorm');
  const w = findCopiedSpecs([copy], [bn, copy, ln]);
  assert.equal(w.map((p) => p.file + ' ' + p.pointer), ['specs/a-copy.json /title']);
});

test.run();
