/** Shard manifests (what a `reproduce --shard I/N` produced) and merging shards into one workspace. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { ResolvedSpec } from '../spec/types.js';
import type { Workspace } from '../result/files.js';
import { writeFileAtomic } from '../result/store.js';
import { canonicalJson } from '../result/canonical.js';
import { fingerprintSpec, sha256Hex } from '../plan/fingerprint.js';
import type { VerifyOutcome } from '../verify/verify.js';
import { RunError, problem } from '../errors.js';
import { checkManifests, normalizeSelection, planFingerprint, type Selection, type Shard, type ShardManifest } from './shard.js';
import type { PlannedRun } from './cache.js';

/** Identity of the unsharded plan: every spec's name and training inputs, and the training code.
 * (Backends and versions are checked per shard through its manifest.) */
export function mergePlanFingerprint(specs: ResolvedSpec[], code: string): string {
  return sha256Hex(`${planFingerprint(specs.map((s) => ({ name: s.name, fingerprint: fingerprintSpec(s) })))}\n${code}`);
}

export interface ManifestWithBackend extends ShardManifest { backend: string }

export function shardManifestFor(profile: string, shard: Shard, specs: ResolvedSpec[], code: string, mine: PlannedRun[], outcome: VerifyOutcome, backend: string, selection: Selection): ManifestWithBackend {
  return {
    format: 1, profile, shard, plan: mergePlanFingerprint(specs, code), backend,
    allRuns: specs.map((s) => s.name), runs: mine.map((p) => p.spec.name),
    goldens: outcome.verdicts.map((v) => v.golden),
    selection: normalizeSelection(selection),
  };
}

const shardsDir = (ws: Workspace, profile: string) => join(ws.root, 'results', profile, 'shards');

export function writeShardManifest(ws: Workspace, m: ManifestWithBackend): string {
  const file = join(shardsDir(ws, m.profile), `shard-${m.shard.index}-of-${m.shard.total}.json`);
  writeFileAtomic(file, canonicalJson(m));
  return file;
}

export interface FoundManifest { file: string; dir: string; m: ManifestWithBackend }

/** Manifests under each DIR (a copy of `results/`, of `results/<profile>/`, or a workspace);
 * no DIR: this workspace's own results. */
export function readManifests(ws: Workspace, profile: string, dirs: string[]): FoundManifest[] {
  const roots = dirs.length ? dirs.map((d) => resolve(d)) : [join(ws.root, 'results', profile)];
  const out: FoundManifest[] = [];
  for (const root of roots) {
    const profDir = [root, join(root, profile), join(root, 'results', profile)].find((d) => existsSync(join(d, 'shards')));
    if (!profDir) throw new RunError('RUN', [problem(relative(process.cwd(), root) || root, '', `no shard manifest (shards/shard-I-of-N.json) under this directory for profile ${profile}`, 'pass the directory a `reproduce --shard` run left its results in (results/ or results/<profile>/)')]);
    for (const f of readdirSync(join(profDir, 'shards')).filter((f) => /^shard-\d+-of-\d+\.json$/.test(f)).sort()) {
      const file = join(profDir, 'shards', f);
      let m: ManifestWithBackend;
      try {
        m = JSON.parse(readFileSync(file, 'utf8'));
      } catch (e) {
        throw new RunError('RUN', [problem(file, '', `corrupt shard manifest: ${(e as Error).message}`, 're-run that shard')]);
      }
      out.push({ file, dir: profDir, m });
    }
  }
  return out;
}

const RUN_FILES = ['result.json', 'facts.json', 'run.json'];

/** Check the manifests against this checkout's plan, then copy every shard's run files in. */
export function copyShardResults(ws: Workspace, profile: string, found: FoundManifest[], plan: string, allRuns: string[]): number {
  const shown = (f: string) => relative(process.cwd(), f) || f;
  const probs = checkManifests(found.map(({ file, m }) => ({ file: shown(file), m })), profile, plan, allRuns);
  const backends = [...new Set(found.map((f) => f.m.backend))];
  if (backends.length > 1) probs.push({ file: '', message: `shards ran on different backends (${backends.join(', ')})`, fix: 'run every shard with the same --backend' });
  if (probs.length) throw new RunError('RUN', probs.map((p) => problem(p.file, '', p.message, p.fix)));
  let copied = 0;
  for (const { dir, m } of found) {
    for (const name of m.runs) {
      const from = join(dir, name);
      const to = join(ws.root, 'results', profile, name);
      if (!existsSync(join(from, 'result.json'))) throw new RunError('RUN', [problem(shown(join(from, 'result.json')), '', `shard ${m.shard.index}/${m.shard.total} lists '${name}' but its result is missing`, 'upload the whole results/<profile>/ directory of each shard')]);
      if (resolve(from) !== resolve(to))
        for (const f of RUN_FILES) if (existsSync(join(from, f))) writeFileAtomic(join(to, f), readFileSync(join(from, f)));
      copied++;
    }
  }
  return copied;
}
