import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { balanceItem, balanceShards, describeShard, inBalancedShard, shardTimes } from '../../src/shard/balance.js';

const run = (name: string, epochs: number, fingerprint = `fp-${name}`, trainSize: number | null = 60000) => ({ spec: { name, dataset: { trainSize }, training: { epochs } }, decision: { fingerprint } });

test('balanceShards: longest first onto the lightest shard; weights, not counts, are even', () => {
  const items = [
    { name: 'a', group: 'a', weight: 20 }, { name: 'b', group: 'b', weight: 20 }, { name: 'c', group: 'c', weight: 15 },
    { name: 'd', group: 'd', weight: 15 }, { name: 'e', group: 'e', weight: 10 }, { name: 'f', group: 'f', weight: 10 },
  ];
  // by hand: a:1 (20) b:2 (20) c:1 (35) d:2 (35) e:1 (45) f:2 (45)
  assert.equal(balanceShards(items, 2), [
    { index: 1, names: ['a', 'c', 'e'], weight: 45 },
    { index: 2, names: ['b', 'd', 'f'], weight: 45 },
  ]);
  // three shards: round-robin by count would give a+d 35, b+e 30, c+f 25; LPT gives 30 each
  const three = balanceShards(items, 3);
  assert.equal(three.map((s) => s.weight), [30, 30, 30]);
  assert.equal(three.map((s) => s.names), [['a', 'e'], ['b', 'f'], ['c', 'd']]);
});

test('balanceShards: ties break by name, so input order does not matter; names keep plan order', () => {
  const items = ['r3', 'r1', 'r2', 'r0'].map((name) => ({ name, group: name, weight: 5 }));
  const a = balanceShards(items, 2);
  const b = balanceShards([...items].reverse(), 2);
  assert.equal(a.map((s) => [...s.names].sort()), b.map((s) => [...s.names].sort()));
  // by name r0, r1, r2, r3 alternate onto shards 1, 2, 1, 2; each shard lists its runs in plan order
  assert.equal(a, [{ index: 1, names: ['r2', 'r0'], weight: 10 }, { index: 2, names: ['r3', 'r1'], weight: 10 }]);
});

test('balanceShards: a group (copies of one training) stays together and weighs one training', () => {
  const items = [
    { name: 'sweep.b64', group: 'G', weight: 20 }, { name: 'batchnorm', group: 'G', weight: 20 },
    { name: 'x', group: 'x', weight: 20 }, { name: 'y', group: 'y', weight: 20 },
  ];
  const s = balanceShards(items, 3);
  const holder = s.find((l) => l.names.includes('batchnorm'))!;
  assert.ok(holder.names.includes('sweep.b64'));
  assert.equal(s.map((l) => l.weight), [20, 20, 20]);
});

test('balanceShards: more shards than runs leaves empty shards; every run exactly once', () => {
  const items = Array.from({ length: 5 }, (_, i) => ({ name: `r${i}`, group: `r${i}`, weight: i + 1 }));
  for (const n of [1, 2, 3, 5, 8]) {
    const s = balanceShards(items, n);
    assert.is(s.length, n);
    assert.equal(s.flatMap((l) => l.names).sort(), items.map((i) => i.name));
  }
  assert.equal(balanceShards(items, 8).filter((l) => l.names.length === 0).length, 3);
});

test('balanceItem / inBalancedShard: weight is train size x epochs; shards partition a plan', () => {
  assert.equal(balanceItem(run('g', 15)), { name: 'g', group: 'fp-g', weight: 900000 });
  assert.equal(balanceItem(run('s', 2, 'fp', 192)).weight, 384);
  assert.equal(balanceItem(run('d', 3, 'fp', null)).weight, 180000);
  const plan = [run('bn', 20), run('gn1', 15), run('gn2', 15), run('ln', 20), run('bn-copy', 20, 'fp-bn')];
  const parts = [1, 2].map((index) => inBalancedShard(plan, { index, total: 2 }).map((p) => p.spec.name));
  // bn+bn-copy (1.2M, one training) and ln (1.2M) go first, one each; gn1 then gn2 onto the lighter
  assert.equal(parts, [['bn', 'gn1', 'bn-copy'], ['gn2', 'ln']]);
  assert.is(inBalancedShard(plan, null), plan);
});

test('shardTimes: seconds of the runs to train per shard, longest and mean', () => {
  const loads = [{ index: 1, names: ['a', 'b'], weight: 2 }, { index: 2, names: ['c'], weight: 1 }];
  const t = shardTimes(loads, new Map([['a', 100], ['c', 50]]));
  assert.equal(t.shards, [{ index: 1, runs: ['a', 'b'], toTrain: ['a'], seconds: 100 }, { index: 2, runs: ['c'], toTrain: ['c'], seconds: 50 }]);
  assert.is(t.longest, 100);
  assert.is(t.mean, 75);
  // two runs side by side in a shard: its time is the makespan, not the sum
  assert.is(shardTimes([{ index: 1, names: ['a', 'b', 'c'], weight: 3 }], new Map([['a', 100], ['b', 60], ['c', 50]]), 2).longest, 110);
});

test('describeShard names this shard and the longest one', () => {
  const plan = [run('a', 20), run('b', 15), run('c', 15)];
  assert.is(describeShard(plan, { index: 2, total: 2 }), 'shard 2/2: 2 of 3 run(s), 1,800,000 training images; shards balanced by training images: longest shard 2 with 1,800,000 (max/mean 1.20)');
});

test.run();
