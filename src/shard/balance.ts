/** Shards balanced by expected work, not by count: greedy longest-processing-time-first over the
 * runs' weights. Pure. Runs that compute the same training (equal run fingerprints: the copies
 * shareTraining makes) travel together, so a copy is never trained again in another shard. The
 * weight of a run depends only on its spec (training images of the whole run), never on what is
 * cached or measured here, so every machine of a sharded run, and every resubmission, splits the
 * plan the same way. */
import type { Shard } from './shard.js';
import { makespan } from '../plan/estimate.js';

export interface BalanceItem {
  name: string;
  /** runs with the same group (the run fingerprint) go to the same shard */
  group: string;
  /** expected work; a group weighs as much as its heaviest run (the others are copies) */
  weight: number;
}

export interface ShardLoad {
  index: number;
  /** the shard's runs, in plan order */
  names: string[];
  weight: number;
}

/** Split `items` into `total` shards: heaviest group first (ties: by name) onto the lightest shard
 * so far (ties: the lowest index). */
export function balanceShards(items: BalanceItem[], total: number): ShardLoad[] {
  const groups = new Map<string, { names: Set<string>; weight: number; first: string }>();
  for (const it of items) {
    const g = groups.get(it.group) ?? { names: new Set<string>(), weight: 0, first: it.name };
    g.names.add(it.name);
    g.weight = Math.max(g.weight, it.weight);
    if (it.name < g.first) g.first = it.name;
    groups.set(it.group, g);
  }
  const units = [...groups.values()].sort((a, b) => b.weight - a.weight || (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
  const loads = Array.from({ length: Math.max(1, total) }, (_, i) => ({ index: i + 1, members: new Set<string>(), weight: 0 }));
  for (const u of units) {
    let best = loads[0];
    for (const l of loads) if (l.weight < best.weight) best = l;
    u.names.forEach((n) => best.members.add(n));
    best.weight += u.weight;
  }
  const order = items.map((it) => it.name);
  return loads.map((l) => ({ index: l.index, names: order.filter((n) => l.members.has(n)), weight: l.weight }));
}

/** A planned run's balance item: its whole training in images (train size x epochs), whatever
 * part of it is already done. */
export function balanceItem(p: { spec: { name: string; dataset: { trainSize?: number | null }; training: { epochs: number } }; decision: { fingerprint: string } }): BalanceItem {
  return { name: p.spec.name, group: p.decision.fingerprint, weight: (p.spec.dataset.trainSize ?? 60000) * p.spec.training.epochs };
}

/** The runs of `plan` that fall in `shard` (all of them without one), in plan order. */
export function inBalancedShard<T extends Parameters<typeof balanceItem>[0]>(plan: T[], shard: Shard | null): T[] {
  if (!shard) return plan;
  const mine = new Set(balanceShards(plan.map(balanceItem), shard.total)[shard.index - 1].names);
  return plan.filter((p) => mine.has(p.spec.name));
}

export interface ShardTime { index: number; runs: string[]; toTrain: string[]; seconds: number }

/** Seconds per shard from each run's expected seconds (runs not in `seconds` cost nothing: cached
 * or copies), `jobs` runs side by side in a shard; the longest and the mean. */
export function shardTimes(loads: ShardLoad[], seconds: Map<string, number>, jobs = 1): { shards: ShardTime[]; longest: number; mean: number } {
  const shards = loads.map((l) => {
    const toTrain = l.names.filter((n) => seconds.has(n));
    return { index: l.index, runs: l.names, toTrain, seconds: makespan(toTrain.map((n) => seconds.get(n)!), jobs) };
  });
  const longest = Math.max(0, ...shards.map((s) => s.seconds));
  const mean = shards.reduce((a, s) => a + s.seconds, 0) / Math.max(1, shards.length);
  return { shards, longest, mean };
}

/** One line for the plan: this shard's share and the heaviest shard's, in training images. */
export function describeShard(plan: Parameters<typeof balanceItem>[0][], shard: Shard): string {
  const loads = balanceShards(plan.map(balanceItem), shard.total);
  const mine = loads[shard.index - 1];
  const heaviest = loads.reduce((a, l) => (l.weight > a.weight ? l : a), loads[0]);
  const mean = loads.reduce((a, l) => a + l.weight, 0) / loads.length;
  const img = (n: number) => Math.round(n).toLocaleString('en-US');
  return `shard ${shard.index}/${shard.total}: ${mine.names.length} of ${plan.length} run(s), ${img(mine.weight)} training images; shards balanced by training images: longest shard ${heaviest.index} with ${img(heaviest.weight)} (max/mean ${(mean ? heaviest.weight / mean : 1).toFixed(2)})`;
}
