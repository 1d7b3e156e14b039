/** Loading specs: read + parse (IO), then validate, merge defaults and the profile, and check
 * the semantic rules (pure). Every problem of every file is collected before failing. */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { basename, dirname, join, resolve, relative } from 'node:path';
import defaults from './defaults.json' with { type: 'json' };
import { validateSpecDocument } from './validate.js';
import { problem, SpecError, type Problem } from '../errors.js';
import type { Profile, ResolvedSpec } from './types.js';

export interface SpecDocument { file: string; doc: Record<string, unknown> }

export function listSpecFiles(dir: string): string[] {
  if (!existsSync(dir)) throw new SpecError('SPEC_NOT_FOUND', [problem(dir, '', 'specs directory not found', 'run from the repository root, or pass spec files explicitly')]);
  return readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map((f) => join(dir, f));
}

function lineCol(text: string, pos: number): string {
  const before = text.slice(0, pos);
  const line = before.split('\n').length;
  const col = pos - before.lastIndexOf('\n');
  return `line ${line}, column ${col}`;
}

export function parseSpecText(file: string, text: string): { doc?: Record<string, unknown>; problems: Problem[] } {
  try {
    const doc = JSON.parse(text);
    if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return { problems: [problem(file, '', 'a spec must be a JSON object', 'wrap the fields in { }')] };
    return { doc, problems: [] };
  } catch (e) {
    const m = /position (\d+)/.exec((e as Error).message);
    const where = m ? ` at ${lineCol(text, Number(m[1]))}` : '';
    return { problems: [problem(file, '', `invalid JSON${where}: ${(e as Error).message}`, 'fix the JSON syntax (a trailing comma or a missing quote is typical)')] };
  }
}

type Obj = Record<string, any>;
function isObj(v: unknown): v is Obj {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}
export function deepMerge(base: Obj, over: Obj): Obj {
  const out: Obj = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = isObj(v) && isObj(base[k]) ? deepMerge(base[k], v) : v;
  return out;
}

/** Semantic rules the schema cannot express; pointers refer to where the value came from. */
function checkResolved(file: string, doc: Obj, r: Obj, profile: Profile): Problem[] {
  const probs: Problem[] = [];
  const from = (path: string) => {
    const parts = path.split('/').slice(1);
    const inProfile = parts.reduce<any>((o, k) => (o == null ? o : o[k]), doc.profiles?.[profile]);
    return inProfile !== undefined ? `/profiles/${profile}${path}` : path;
  };
  const expectedName = basename(file).replace(/\.json$/, '');
  if (r.name !== expectedName)
    probs.push(problem(file, '/name', `name '${r.name}' differs from the file name '${expectedName}.json'`, `rename the file to ${r.name}.json or set "name": "${expectedName}"`));
  const m = r.model;
  if (m.norm === undefined) probs.push(problem(file, '/model/norm', "missing required key 'norm'", 'set "norm": "batch", "layer" or "group"'));
  if (m.norm !== 'group') {
    for (const k of ['groups', 'firstBlockGroups'])
      if (m[k] !== undefined) probs.push(problem(file, from(`/model/${k}`), `'${k}' only applies to "norm": "group" (norm is '${m.norm}')`, `remove ${k}, or set norm to "group"`));
  } else {
    if (16 % m.groups !== 0) probs.push(problem(file, from('/model/groups'), `${m.groups} groups do not divide the 16 channels of blocks 2-7`, 'use 1, 2, 4, 8 or 16'));
    if (8 % m.firstBlockGroups !== 0) probs.push(problem(file, from('/model/firstBlockGroups'), `${m.firstBlockGroups} groups do not divide the 8 channels of block 1`, 'use 1, 2, 4 or 8'));
  }
  const d = r.dataset;
  if (d.source === 'idx' && !d.path) probs.push(problem(file, from('/dataset/path'), 'dataset source "idx" needs a path', 'set /dataset/path to the directory holding the four IDX files'));
  if (d.source === 'mnist' && d.path) probs.push(problem(file, from('/dataset/path'), 'path is only used with source "idx"', 'remove path, or set "source": "idx"'));
  if (d.trainSize !== null && d.trainSize > 60000) probs.push(problem(file, from('/dataset/trainSize'), `trainSize ${d.trainSize} exceeds MNIST's 60000 training images`, 'use at most 60000 or null (all)'));
  if (d.testSize !== null && d.testSize > 10000) probs.push(problem(file, from('/dataset/testSize'), `testSize ${d.testSize} exceeds MNIST's 10000 test images`, 'use at most 10000 or null (all)'));
  const a = r.augmentation;
  if (a.scale[0] > a.scale[1]) probs.push(problem(file, from('/augmentation/scale'), `scale range [${a.scale}] is reversed`, 'write [min, max]'));
  const s = r.training.schedule;
  if (s.type === 'one-cycle' && s.baseMomentum > s.maxMomentum)
    probs.push(problem(file, from('/training/schedule/baseMomentum'), `baseMomentum ${s.baseMomentum} > maxMomentum ${s.maxMomentum}`, 'baseMomentum must not exceed maxMomentum'));
  return probs;
}

export function resolveSpec(file: string, doc: Obj, profile: Profile): { spec?: ResolvedSpec; problems: Problem[] } {
  const schemaProblems = validateSpecDocument(file, doc);
  if (schemaProblems.length) return { problems: schemaProblems };
  const { profiles: defaultProfiles, ...base } = defaults as Obj;
  const { profiles: specProfiles, $schema: _s, description: _d, ...own } = doc;
  let merged = deepMerge(base, own);
  merged = deepMerge(merged, defaultProfiles[profile] ?? {});
  merged = deepMerge(merged, specProfiles?.[profile] ?? {});
  if (merged.model?.norm === 'group') merged.model = { groups: 4, firstBlockGroups: 2, ...merged.model };
  const problems = checkResolved(file, doc, merged, profile);
  if (problems.length) return { problems };
  const m = merged.model;
  const groups = m.norm === 'group' ? [m.firstBlockGroups, ...Array(5).fill(m.groups)] : Array(6).fill(1);
  const spec: ResolvedSpec = {
    file,
    name: merged.name,
    title: merged.title,
    profile,
    seed: merged.seed,
    dataset: {
      source: merged.dataset.source,
      path: merged.dataset.path ? resolve(dirname(file), merged.dataset.path) : null,
      sha256: merged.dataset.sha256 ?? null,
      trainSize: merged.dataset.trainSize ?? null,
      testSize: merged.dataset.testSize ?? null,
    },
    model: { norm: m.norm, groups, dropout: m.dropout },
    training: { ...merged.training },
    augmentation: { ...merged.augmentation },
    tolerances: { abs: merged.tolerances.abs ?? 0, rel: merged.tolerances.rel ?? 0, metrics: merged.tolerances.metrics ?? {}, backends: merged.tolerances.backends ?? {} },
    reference: merged.reference ?? {},
  };
  return { spec, problems: [] };
}

/** Load and resolve spec files; throws one SpecError listing every problem in every file. */
export function loadSpecs(files: string[], profile: Profile): ResolvedSpec[] {
  const problems: Problem[] = [];
  const specs: ResolvedSpec[] = [];
  const byName = new Map<string, string>();
  for (const f of files) {
    const rel = relative(process.cwd(), f);
    const shown = rel && !rel.startsWith('..') ? rel : f;
    if (!existsSync(f)) {
      problems.push(problem(shown, '', 'spec file not found', 'check the path'));
      continue;
    }
    const parsed = parseSpecText(shown, readFileSync(f, 'utf8'));
    problems.push(...parsed.problems);
    if (!parsed.doc) continue;
    const r = resolveSpec(shown, parsed.doc, profile);
    problems.push(...r.problems);
    if (!r.spec) continue;
    const prev = byName.get(r.spec.name);
    if (prev) problems.push(problem(shown, '/name', `duplicate name '${r.spec.name}' (also in ${prev})`, 'give each experiment a unique name'));
    byName.set(r.spec.name, shown);
    specs.push(r.spec);
  }
  if (problems.length) throw new SpecError('SPEC_INVALID', problems);
  return specs;
}
