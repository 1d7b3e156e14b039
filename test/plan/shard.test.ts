import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkManifests, inShard, parseShard, type ShardManifest } from '../../src/run/shard.js';

test('parseShard accepts I/N and refuses the rest', () => {
  assert.equal(parseShard('2/3'), { index: 2, total: 3 });
  assert.is(parseShard(undefined), null);
  for (const bad of ['0/2', '3/2', '1/0', 'a/b', '1-2', '1/2/3']) assert.throws(() => parseShard(bad), /--shard must be INDEX\/TOTAL/);
});

test('shards partition the plan: disjoint, complete, balanced, deterministic', () => {
  const items = Array.from({ length: 11 }, (_, i) => `r${i}`);
  for (const n of [1, 2, 3, 5, 11, 13]) {
    const parts = Array.from({ length: n }, (_, i) => inShard(items, { index: i + 1, total: n }));
    assert.equal(parts.flat().sort(), [...items].sort());
    const sizes = parts.map((p) => p.length);
    assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `n=${n}: ${sizes}`);
    assert.equal(parts, Array.from({ length: n }, (_, i) => inShard(items, { index: i + 1, total: n })));
  }
});

const m = (index: number, total: number, runs: string[], plan = 'P'): { file: string; m: ShardManifest } => ({
  file: `s${index}.json`, m: { format: 1, profile: 'smoke', shard: { index, total }, plan, allRuns: ['a', 'b', 'c'], runs, goldens: [] },
});

test('checkManifests: complete set passes; missing, duplicate, foreign shards are named', () => {
  assert.equal(checkManifests([m(1, 2, ['a', 'c']), m(2, 2, ['b'])], 'smoke', 'P', ['a', 'b', 'c']), []);
  assert.match(checkManifests([m(1, 2, ['a', 'c'])], 'smoke', 'P', ['a', 'b', 'c'])[0].message, 'shard 2/2 is missing');
  assert.match(checkManifests([m(1, 2, ['a', 'c']), m(1, 2, ['a', 'c'])], 'smoke', 'P', ['a', 'b', 'c']).map((p) => p.message).join(), 'given twice');
  assert.match(checkManifests([m(1, 2, ['a', 'c']), m(2, 2, ['b'], 'Q')], 'smoke', 'P', ['a', 'b', 'c'])[0].message, 'made from other specs');
  assert.match(checkManifests([], 'smoke', 'P', ['a'])[0].message, 'no shard manifests');
});

test.run();
