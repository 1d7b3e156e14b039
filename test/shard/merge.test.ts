import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { manifestProblems } from '../../src/shard/merge.js';

test('manifestProblems: schema, index within total, the file name, runs among allRuns', () => {
  const m = { format: 1, profile: 'smoke', shard: { index: 1, total: 2 }, plan: 'a'.repeat(64), backend: 'wasm', allRuns: ['a', 'b'], runs: ['a'], goldens: [] };
  assert.equal(manifestProblems('s.json', 'shard-1-of-2.json', m), []);
  const lines = (doc: unknown, name = 'shard-1-of-2.json') => manifestProblems('s.json', name, doc).map((p) => `${p.file} ${p.pointer}: ${p.message}`);
  assert.equal(lines({ ...m, shard: { index: '1', total: 2 }, runs: 'a' }).sort(), ['s.json /runs: must be array (got "a")', 's.json /shard/index: must be integer (got "1")']);
  assert.equal(lines([]), ['s.json : must be object (got an array)']);
  assert.equal(lines({ ...m, shard: { index: 3, total: 2 } }, 'shard-3-of-2.json'), ['s.json /shard/index: 3 is more than /shard/total 2']);
  assert.equal(lines(m, 'shard-2-of-2.json'), ['s.json /shard: says shard 1/2, but the file is named for 2/2']);
  assert.equal(lines({ ...m, runs: ['c'] }), ["s.json /runs/0: 'c' is not in /allRuns"]);
});

test.run();
