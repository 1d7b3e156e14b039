/** Shard manifests (what a `reproduce --shard I/N` produced) and merging shards into one workspace. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { ResolvedSpec } from '../spec/types.js';
import { writeFileAtomic } from '../workspace/store.js';
import { canonicalJson } from '../result/canonical.js';
import { fingerprintSpec } from '../plan/fingerprint.js';
import { sha256Hex } from '../result/canonical.js';
import type { VerifyOutcome } from '../verify/verify.js';
import { ResultError, RunError, displayPath, problem, type Problem } from '../errors.js';
import { parseJson, schemaProblems } from '../jsonSchema.js';
import { RESULT_FIX, payloadProblems } from '../workspace/payloads.js';
import { SHARD_MANIFEST, resultDir, resultsRoot, shardManifestPath, shardsDir, type Workspace } from '../workspace/paths.js';
import { validateFacts, validateRunRecord } from '../result/validate.js';
import shardSchema from './shard.schema.json' with { type: 'json' };
import { checkManifests, normalizeSelection, planFingerprint, type Selection, type Shard, type ShardManifest } from './shard.js';
import type { PlannedRun } from '../plan/runs.js';

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


export function writeShardManifest(ws: Workspace, m: ManifestWithBackend): string {
  const file = shardManifestPath(ws, m.profile, m.shard.index, m.shard.total);
  writeFileAtomic(file, canonicalJson(m));
  return file;
}

const MANIFEST_FIX = 're-run that shard (`normreg reproduce --shard I/N`) and pass its results again';

/** Schema plus: index within total, the file name's I and N, the shard's runs among the plan's. Pure. */
export function manifestProblems(shown: string, fileName: string, doc: unknown): Problem[] {
  const probs = schemaProblems(shardSchema, shown, doc, MANIFEST_FIX);
  if (probs.length) return probs;
  const m = doc as ManifestWithBackend;
  if (m.shard.index > m.shard.total) probs.push(problem(shown, '/shard/index', `${m.shard.index} is more than /shard/total ${m.shard.total}`, MANIFEST_FIX));
  const named = /^shard-(\d+)-of-(\d+)\.json$/.exec(fileName);
  if (named && (Number(named[1]) !== m.shard.index || Number(named[2]) !== m.shard.total))
    probs.push(problem(shown, '/shard', `says shard ${m.shard.index}/${m.shard.total}, but the file is named for ${named[1]}/${named[2]}`, MANIFEST_FIX));
  const all = new Set(m.allRuns);
  m.runs.forEach((r, i) => { if (!all.has(r)) probs.push(problem(shown, `/runs/${i}`, `'${r}' is not in /allRuns`, MANIFEST_FIX)); });
  return probs;
}

function readManifest(file: string, fileName: string): ManifestWithBackend {
  const shown = displayPath(file);
  const parsed = parseJson(shown, readFileSync(file, 'utf8'), MANIFEST_FIX);
  const probs = 'problem' in parsed ? [parsed.problem] : manifestProblems(shown, fileName, parsed.value);
  if (probs.length) throw new RunError('SHARD_CORRUPT', probs.map((p) => ({ ...p, message: `corrupt shard manifest: ${p.message}` })));
  return (parsed as { value: ManifestWithBackend }).value;
}

export interface FoundManifest { file: string; dir: string; m: ManifestWithBackend }

/** Manifests under each DIR (a copy of `results/`, of `results/<profile>/`, or a workspace);
 * no DIR: this workspace's own results. */
export function readManifests(ws: Workspace, profile: string, dirs: string[]): FoundManifest[] {
  const roots = dirs.length ? dirs.map((d) => resolve(d)) : [resultsRoot(ws)];
  const out: FoundManifest[] = [];
  for (const root of roots) {
    const profDirs = shardDirs(root, profile);
    if (!profDirs.length) throw new RunError('RUN', [problem(relative(process.cwd(), root) || root, '', `no shard manifest (shards/shard-I-of-N.json) under this directory for profile ${profile}`, 'pass the directory a `reproduce --shard` run left its results in (results/, results/<profile>/ or, for another backend, results/<profile>.<backend>/)')]);
    for (const profDir of profDirs)
      for (const f of readdirSync(shardsDir(profDir)).filter((f) => SHARD_MANIFEST.test(f)).sort()) {
        const file = join(shardsDir(profDir), f);
        const m = readManifest(file, f);
        out.push({ file, dir: profDir, m });
      }
  }
  return out;
}

/** The directories under ROOT holding a profile's shard manifests: ROOT itself, or its
 * <profile>/ (the reference engine's) and <profile>.<backend>/ folders, directly or under results/. */
function shardDirs(root: string, profile: string): string[] {
  if (existsSync(shardsDir(root))) return [root];
  const out: string[] = [];
  for (const base of [root, join(root, 'results')]) {
    if (!existsSync(base)) continue;
    for (const d of readdirSync(base).sort())
      if ((d === profile || d.startsWith(`${profile}.`)) && existsSync(shardsDir(join(base, d)))) out.push(join(base, d));
  }
  return out;
}

/** The one backend the shards ran on (results and goldens are filed by it); shards of several
 * backends, or of another backend than --backend names, are refused. */
export function shardsBackend(found: FoundManifest[], given: string | undefined): string {
  const backends = [...new Set(found.map((f) => f.m.backend))];
  if (backends.length > 1) throw new RunError('RUN', [problem(displayPath(found[0].file), '', `shards ran on different backends (${backends.join(', ')})`, `merge one backend's shards at a time: pass its folder, e.g. \`normreg merge --profile ${found[0].m.profile} results/${found[0].m.profile}.${backends.find((b) => b !== 'wasm') ?? backends[1]}\``)]);
  if (given && given !== 'auto' && given !== backends[0]) throw new RunError('RUN', [problem(displayPath(found[0].file), '', `the shards ran on ${backends[0]}, not on --backend ${given}`, `drop --backend or pass --backend ${backends[0]}`)]);
  return backends[0] ?? 'wasm';
}

const RUN_FILES = ['result.json', 'facts.json', 'run.json'];

/** Problems of one shard run's files (result.json, and run.json / facts.json where present). */
function runFileProblems(dir: string, name: string, profile: string, shown: (f: string) => string): Problem[] {
  const fix = 're-run that shard and pass its results again';
  const out: Problem[] = [];
  const r = payloadProblems(readFileSync(join(dir, 'result.json'), 'utf8'), shown(join(dir, 'result.json')), 'result', { name, profile });
  out.push(...r.problems);
  for (const [f, check] of [['run.json', validateRunRecord], ['facts.json', validateFacts]] as const) {
    const file = join(dir, f);
    if (!existsSync(file)) continue;
    const parsed = parseJson(shown(file), readFileSync(file, 'utf8'), fix);
    out.push(...('problem' in parsed ? [parsed.problem] : check(shown(file), parsed.value, fix)));
  }
  return out.map((p) => ({ ...p, message: `corrupt shard result: ${p.message}`, fix: p.fix === RESULT_FIX ? fix : p.fix }));
}

/** Check the manifests against this checkout's plan, then copy every shard's run files in. */
export function copyShardResults(ws: Workspace, profile: string, found: FoundManifest[], plan: string, allRuns: string[]): number {
  const shown = displayPath;
  const probs = checkManifests(found.map(({ file, m }) => ({ file: shown(file), m })), profile, plan, allRuns);
  if (probs.length) throw new RunError('RUN', probs.map((p) => problem(p.file, '', p.message, p.fix)));
  // every shard's run files are checked before the first is copied: a bad one leaves the workspace as it was
  const copies: { from: string; to: string }[] = [];
  for (const { dir, m } of found) {
    for (const name of m.runs) {
      const from = join(dir, name);
      const to = resultDir(ws, profile, name);
      if (!existsSync(join(from, 'result.json'))) throw new RunError('RUN', [problem(shown(join(from, 'result.json')), '', `shard ${m.shard.index}/${m.shard.total} lists '${name}' but its result is missing`, 'upload the whole results/<profile>/ directory of each shard')]);
      const bad = runFileProblems(from, name, profile, shown);
      if (bad.length) throw new ResultError('RESULT_CORRUPT', bad);
      copies.push({ from, to });
    }
  }
  let copied = 0;
  for (const { from, to } of copies) {
    if (resolve(from) !== resolve(to))
      for (const f of RUN_FILES) if (existsSync(join(from, f))) writeFileAtomic(join(to, f), readFileSync(join(from, f)));
    copied++;
  }
  return copied;
}
