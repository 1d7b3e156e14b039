/** Argument parsing shared by the commands: flags, the profile, the selected specs. */
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { listSpecFiles, loadSpecs } from '../spec/load.js';
import { oneOf, seedsFlag } from './flags.js';
import { PROFILES, type ResolvedSpec } from '../spec/types.js';
import type { Common } from '../pipeline/common.js';
import { UPDATE_MODES, defaultUpdateMode, isCi, type UpdateMode } from '../verify/update.js';
import { existsSync } from 'node:fs';
import { REFERENCE_BACKEND, goldenPath } from '../workspace/paths.js';
import type { Selection } from '../shard/shard.js';

/** --only's word for every run of the profile without a committed golden */
const PENDING = 'pending';

export function parse(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        profile: { type: 'string' }, only: { type: 'string' }, backend: { type: 'string' }, update: { type: 'string' },
        json: { type: 'boolean' }, specs: { type: 'string' }, help: { type: 'boolean', short: 'h' },
        steps: { type: 'string' }, 'epoch-images': { type: 'string' }, norms: { type: 'string' }, modes: { type: 'string' },
        'compare-pytorch': { type: 'boolean' }, python: { type: 'string' }, rounds: { type: 'string' },
        jobs: { type: 'string', short: 'j' }, force: { type: 'boolean' }, dry: { type: 'boolean' }, shard: { type: 'string' },
        'no-wait': { type: 'boolean' }, seeds: { type: 'string' }, threads: { type: 'string' },
        gpu: { type: 'boolean' }, wheel: { type: 'string' }, 'inter-threads': { type: 'string' }, engines: { type: 'string' },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message, 'see `normreg --help`');
  }
}

export type Values = ReturnType<typeof parse>['values'];

export function common(values: Values, files?: string[]): Common {
  // --backend picks whose results are read (and, in reproduce, written); auto is settled after loading
  const b = values.backend;
  const ws = { root: process.cwd(), ...(b && b !== 'auto' && b !== 'wasm' ? { backend: b } : {}) };
  const profile = oneOf('profile', values.profile, PROFILES, 'full');
  const seeds = seedsFlag(values.seeds);
  const specFiles = files && files.length ? files.map((f) => resolve(f)) : listSpecFiles(resolve(values.specs ?? 'specs'));
  let specs = loadSpecs(specFiles, profile, seeds);
  const all = specs;
  let filtered = seeds !== undefined;
  if (values.only) {
    // a run's name, its group (all its seeds), a sweep's name (all its runs), a tag (specs/*.json
    // "tags") or 'pending': every run without a committed golden (for this backend)
    const wanted = onlyList(values.only);
    const named = (s: ResolvedSpec, w: string) => s.name === w || s.group === w || s.sweep?.name === w || s.tags.includes(w);
    const pendingWord = (w: string) => w === PENDING && !specs.some((s) => named(s, w));
    const matches = (s: ResolvedSpec, w: string) => named(s, w) || (pendingWord(w) && !existsSync(goldenPath(ws, profile, ws.backend ?? REFERENCE_BACKEND, s.name)));
    const unknown = wanted.filter((w) => !pendingWord(w) && !specs.some((s) => matches(s, w)));
    if (unknown.length) {
      const known = [...new Set([...specs.flatMap((s) => s.tags), ...specs.map((s) => s.sweep?.name ?? s.group)])];
      throw new UsageError(`--only: no experiment named ${unknown.map((u) => `'${u}'`).join(', ')}`, `known: ${known.join(', ')}, ${PENDING} (runs without a golden), or a single run's name (see \`normreg list\`)`);
    }
    specs = specs.filter((s) => wanted.some((w) => matches(s, w)));
    filtered = true;
  }
  return { ws, profile, specs, all, filtered };
}

function onlyList(text: string): string[] {
  return text.split(',').map((s) => s.trim()).filter(Boolean);
}

/** What --only and --seeds select, as recorded in a shard manifest; null fields: not given. */
export function selectionOf(values: Values): Selection {
  return { only: values.only ? onlyList(values.only) : null, seeds: seedsFlag(values.seeds) ?? null };
}

/** --update, or its default for runs of this backend (a non-reference backend's goldens are written only when asked) */
export function updateMode(values: Values, backend?: string): UpdateMode {
  const mode = oneOf('update', values.update, UPDATE_MODES, defaultUpdateMode(process.env, !backend || backend === 'wasm'));
  if (isCi(process.env) && mode !== 'none') throw new UsageError(`--update ${mode} is refused under CI=true: CI never writes goldens`, 'update goldens locally and commit them');
  return mode;
}
