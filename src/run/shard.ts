/** Splitting a plan over machines. Pure: run k (in spec order) belongs to shard (k mod n) + 1, so
 * every shard gets an even share and the split depends only on the list of runs. */
import { UsageError } from '../errors.js';
import { sha256Hex } from '../plan/fingerprint.js';

export interface Shard { index: number; total: number }

export function parseShard(text: string | undefined): Shard | null {
  if (text === undefined) return null;
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m ? Number(m[1]) : NaN;
  const total = m ? Number(m[2]) : NaN;
  if (!m || total < 1 || index < 1 || index > total)
    throw new UsageError(`--shard must be INDEX/TOTAL with 1 <= INDEX <= TOTAL (got '${text}')`, 'for example --shard 1/2 on one machine and --shard 2/2 on another');
  return { index, total };
}

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
