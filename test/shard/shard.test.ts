import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkManifests, inShard, mergeSelection, type ShardManifest } from '../../src/shard/shard.js';
import { parseShard } from '../../src/commands/flags.js';

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

test('mergeSelection: the shards\' selection applies; mixed selections and a differing --only are refused', () => {
  const sel = (index: number, only: string[] | null, seeds: number[] | null = null) => ({ file: `s${index}.json`, m: { ...m(index, 2, []).m, selection: { only, seeds } } });
  assert.equal(mergeSelection([sel(1, ['b', 'a']), sel(2, ['a', 'b'])], null), { selection: { only: ['a', 'b'], seeds: null }, problems: [] });
  // manifests written before selections were recorded ran the whole plan
  assert.equal(mergeSelection([m(1, 2, []), m(2, 2, [])], null).selection, { only: null, seeds: null });
  assert.equal(mergeSelection([sel(1, ['a'], [2, 1]), sel(2, ['a'], [1, 2])], { only: ['a'], seeds: [1, 2] }).problems, []);
  const mixed = mergeSelection([sel(1, ['a']), sel(2, null)], null).problems;
  assert.is(mixed.length, 1);
  assert.is(mixed[0].message, 'shard 2/2 was made with the whole plan (no --only, no --seeds), shard 1/2 (s1.json) with --only a');
  const given = mergeSelection([sel(1, ['a']), sel(2, ['a'])], { only: ['b'], seeds: null }).problems;
  assert.is(given[0].message, 'merge was given --only b, but the shards were made with --only a');
});

test.run();
