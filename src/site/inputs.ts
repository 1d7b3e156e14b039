/** Reading what the site shows (IO at the edge), tolerantly: a missing or unreadable result, golden
 * or facts file becomes data ("missing", "invalid: <why>") instead of an error, so the page always
 * renders. */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { ResolvedSpec } from '../spec/types.js';
import type { ResultPayload, RunFacts } from '../result/types.js';
import { factsPath, figureDiffDir, goldenPath, goldenProfileDir, goldenPlace, REFERENCE_BACKEND, resultPath, type Workspace } from '../workspace/paths.js';
import { GOLDEN_FIX, RESULT_FIX, payloadProblems } from '../workspace/payloads.js';
import { validateFacts } from '../result/validate.js';
import { parseJson } from '../jsonSchema.js';
import { formatProblem } from '../errors.js';
import { payloadMatchesSpec } from '../verify/inputs.js';
import { loadClaims } from '../report/claims.js';
import { loadDatasetFor } from '../data/dataset.js';
import type { Loaded, RunInput, SiteInputs } from './types.js';

/** misclassified digits shown per run */
export const DIGITS_PER_RUN = 20;

function why(problems: { file: string; pointer: string; message: string }[]): string {
  return problems.map((p) => formatProblem({ ...p, fix: undefined })).join('; ');
}

function loadPayload(root: string, file: string, kind: 'golden' | 'result', spec: ResolvedSpec): Loaded<ResultPayload> {
  if (!existsSync(file)) return { state: 'missing' };
  const shown = relative(root, file);
  const place = kind === 'golden' ? goldenPlace(file) : { name: spec.name };
  const fix = kind === 'golden' ? GOLDEN_FIX(shown) : RESULT_FIX;
  const { payload, problems } = payloadProblems(readFileSync(file, 'utf8'), shown, kind, place);
  const all = [...problems, ...(payload ? payloadMatchesSpec(shown, payload, spec, fix) : [])];
  return payload && all.length === 0 ? { state: 'ok', value: payload } : { state: 'invalid', why: why(all) };
}

function loadFacts(root: string, file: string): Loaded<RunFacts> {
  if (!existsSync(file)) return { state: 'missing' };
  const shown = relative(root, file);
  const parsed = parseJson(shown, readFileSync(file, 'utf8'), RESULT_FIX);
  if ('problem' in parsed) return { state: 'invalid', why: why([parsed.problem]) };
  const probs = validateFacts(shown, parsed.value, RESULT_FIX);
  return probs.length ? { state: 'invalid', why: why(probs) } : { state: 'ok', value: parsed.value as RunFacts };
}

/** sha256 over the bytes of every golden/<profile>/<backend>/*.json in byte order of their names,
 * concatenated: the same committed goldens give the same digest in every clone, whatever the commit
 * (`cd golden/P/B && LC_ALL=C ls *.json | xargs cat | sha256sum` gives it too). */
function goldensDigest(dir: string, shown: string): SiteInputs['goldens'] {
  if (!existsSync(dir)) return null;
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  const h = createHash('sha256');
  for (const f of files) h.update(readFileSync(join(dir, f)));
  return { dir: shown, files: files.length, sha256: h.digest('hex') };
}

function loadDigits(runs: RunInput[]): SiteInputs['digits'] {
  const wanted = new Set<number>();
  let spec: ResolvedSpec | null = null;
  for (const r of runs) {
    const p = r.result.state === 'ok' ? r.result.value : r.golden.state === 'ok' ? r.golden.value : null;
    if (!p) continue;
    spec ??= r.spec;
    for (const s of p.misclassified.samples.slice(0, DIGITS_PER_RUN)) wanted.add(s.index);
  }
  if (!spec) return { images: new Map() };
  try {
    const test = loadDatasetFor(spec).test.images;
    const images = new Map<number, Uint8Array>();
    for (const i of [...wanted].sort((a, b) => a - b))
      if ((i + 1) * 784 <= test.length) images.set(i, test.subarray(i * 784, (i + 1) * 784));
    return { images };
  } catch (e) {
    return { why: (e as Error).message.split('\n')[0] };
  }
}

/** What the page shows; without local (withResults false: the committed page) only goldens, specs,
 * claims and the dataset are read, so that every clone writes the same bytes. */
export function loadSiteInputs(ws: Workspace, profile: string, specs: ResolvedSpec[], all: ResolvedSpec[], withResults: boolean): SiteInputs {
  const backend = ws.backend ?? REFERENCE_BACKEND;
  const absent = { state: 'missing' } as const;
  const runs = specs.map((spec): RunInput => {
    const gp = goldenPath(ws, profile, backend, spec.name);
    const rp = resultPath(ws, profile, spec.name);
    return {
      spec,
      result: withResults ? loadPayload(ws.root, rp, 'result', spec) : absent,
      golden: loadPayload(ws.root, gp, 'golden', spec),
      goldenFile: relative(ws.root, gp),
      resultFile: relative(ws.root, rp),
      facts: withResults ? loadFacts(ws.root, factsPath(ws, profile, spec.name)) : absent,
    };
  });
  const diffDir = figureDiffDir(ws.root, profile);
  const figureDiffs = withResults && existsSync(diffDir)
    ? readdirSync(diffDir).filter((f) => f.endsWith('.diff.png')).sort().map((f) => ({ file: f, png: readFileSync(join(diffDir, f)) }))
    : [];
  return {
    profile,
    goldens: goldensDigest(join(goldenProfileDir(ws.root, profile), backend), relative(ws.root, join(goldenProfileDir(ws.root, profile), backend))),
    withResults,
    runs,
    claims: loadClaims(ws.root, [...new Set(all.map((s) => s.group))]),
    digits: loadDigits(runs),
    figureDiffs,
  };
}
