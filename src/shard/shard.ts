/** Splitting a plan over machines. Pure: run k (in spec order) belongs to shard (k mod n) + 1, so
 * every shard gets an even share and the split depends only on the list of runs. */
import { sha256Hex } from '../result/canonical.js';

export interface Shard { index: number; total: number }

export function inShard<T>(items: T[], shard: Shard | null): T[] {
  return shard ? items.filter((_, k) => k % shard.total === shard.index - 1) : items;
}

/** Identity of the whole plan (names and fingerprints in order), so shards made from different
 * specs or code are never merged together. */
export function planFingerprint(runs: { name: string; fingerprint: string }[]): string {
  return sha256Hex(runs.map((r) => `${r.name}:${r.fingerprint}`).join('\n'));
}

export interface ShardManifest {
  format: 1;
  profile: string;
  shard: Shard;
  plan: string;
  /** every run of the whole plan, in order */
  allRuns: string[];
  /** the runs this shard produced */
  runs: string[];
  /** golden files this shard compared against (relative to the workspace) */
  goldens: string[];
  /** the part of the specs the sharded command selected (--only, --seeds); absent: all of it */
  selection?: Selection;
}

/** What `--only` and `--seeds` picked; null = not given (every spec, the specs' own seeds). */
export interface Selection { only: string[] | null; seeds: number[] | null }

const WHOLE_PLAN: Selection = { only: null, seeds: null };

export function normalizeSelection(s: Selection | undefined): Selection {
  const only = s?.only?.length ? [...new Set(s.only)].sort() : null;
  const seeds = s?.seeds?.length ? [...new Set(s.seeds)].sort((a, b) => a - b) : null;
  return { only, seeds };
}

export function describeSelection(s: Selection): string {
  const parts = [s.only ? `--only ${s.only.join(',')}` : '', s.seeds ? `--seeds ${s.seeds.join(',')}` : ''].filter(Boolean);
  return parts.length ? parts.join(' ') : 'the whole plan (no --only, no --seeds)';
}

const sameSelection = (a: Selection, b: Selection) => JSON.stringify(a) === JSON.stringify(b);

/** The selection a merge applies: the one every shard recorded (a manifest without one ran the
 * whole plan). Shards of different selections are refused; so is a --only / --seeds given to
 * merge that differs from theirs. */
export function mergeSelection(manifests: { file: string; m: ShardManifest }[], given: Selection | null): { selection: Selection; problems: MergeProblem[] } {
  if (manifests.length === 0) return { selection: given ? normalizeSelection(given) : WHOLE_PLAN, problems: [] };
  const first = normalizeSelection(manifests[0].m.selection);
  const problems: MergeProblem[] = [];
  for (const { file, m } of manifests.slice(1)) {
    const s = normalizeSelection(m.selection);
    if (!sameSelection(s, first))
      problems.push({ file, message: `shard ${m.shard.index}/${m.shard.total} was made with ${describeSelection(s)}, shard ${manifests[0].m.shard.index}/${manifests[0].m.shard.total} (${manifests[0].file}) with ${describeSelection(first)}`, fix: 'merge the shards of one sharded run: every shard with the same --only and --seeds' });
  }
  if (given) {
    const g = normalizeSelection(given);
    if (!sameSelection(g, first))
      problems.push({ file: '', message: `merge was given ${describeSelection(g)}, but the shards were made with ${describeSelection(first)}`, fix: 'leave out --only and --seeds (merge uses the shards\' selection), or pass the same ones' });
  }
  return { selection: first, problems };
}

export type MergeProblem = { file: string; message: string; fix: string };

/** Check a set of manifests against the current plan: same plan, one of each index, every run once. */
export function checkManifests(manifests: { file: string; m: ShardManifest }[], profile: string, plan: string, allRuns: string[]): MergeProblem[] {
  const out: MergeProblem[] = [];
  if (manifests.length === 0) return [{ file: '', message: 'no shard manifests found', fix: `pass the directories holding each shard's results/${profile} (with shards/shard-I-of-N.json)` }];
  const total = manifests[0].m.shard.total;
  const seen = new Map<number, string>();
  for (const { file, m } of manifests) {
    if (m.profile !== profile) out.push({ file, message: `shard is for profile ${m.profile}, merging ${profile}`, fix: `use --profile ${m.profile}` });
    if (m.shard.total !== total) out.push({ file, message: `shard ${m.shard.index}/${m.shard.total} mixed with shards of ${total}`, fix: 'merge the shards of one sharded run only' });
    if (m.plan !== plan) out.push({ file, message: 'this shard was made from other specs, code or versions than this checkout (plan fingerprint differs)', fix: 're-run the shard from the same commit' });
    const prev = seen.get(m.shard.index);
    if (prev) out.push({ file, message: `shard ${m.shard.index}/${total} given twice (also ${prev})`, fix: 'pass each shard once' });
    seen.set(m.shard.index, file);
  }
  for (let i = 1; i <= total; i++) if (!seen.has(i)) out.push({ file: '', message: `shard ${i}/${total} is missing`, fix: `add its results (run \`normreg reproduce --shard ${i}/${total}\`)` });
  const covered = new Set(manifests.flatMap(({ m }) => m.runs));
  const missing = allRuns.filter((r) => !covered.has(r));
  if (missing.length && out.length === 0) out.push({ file: '', message: `no shard produced ${missing.join(', ')}`, fix: 're-run the shards from this commit' });
  return out;
}
