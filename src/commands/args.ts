/** Argument parsing shared by the commands: flags, the profile, the selected specs. */
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { listSpecFiles, loadSpecs, parseSeeds } from '../spec/load.js';
import { PROFILES, type Profile, type ResolvedSpec } from '../spec/types.js';
import { UPDATE_MODES, defaultUpdateMode, isCi, type UpdateMode } from '../verify/update.js';
import { existsSync } from 'node:fs';
import { REFERENCE_BACKEND, goldenPath, type Workspace } from '../result/files.js';
import type { Selection } from '../run/shard.js';

/** --only's word for every run of the profile without a committed golden */
export const PENDING = 'pending';

export interface Common {
  ws: Workspace;
  profile: Profile;
  specs: ResolvedSpec[];
  /** every spec of the profile, before --only: what claims and figures may name */
  all: ResolvedSpec[];
  filtered: boolean;
}

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
        shards: { type: 'string' }, time: { type: 'string' }, partition: { type: 'string' }, 'cpus-per-task': { type: 'string' },
        'sbatch-arg': { type: 'string', multiple: true }, wait: { type: 'boolean' }, 'poll-ms': { type: 'string' },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message, 'see `normreg --help`');
  }
}

export type Values = ReturnType<typeof parse>['values'];

export function oneOf<T extends string>(flag: string, value: string | undefined, choices: readonly T[], dflt: T): T {
  if (value === undefined) return dflt;
  if (!(choices as readonly string[]).includes(value)) throw new UsageError(`--${flag} must be one of ${choices.join(', ')} (got '${value}')`);
  return value as T;
}

export function common(values: Values, files?: string[]): Common {
  // --backend picks whose results are read (and, in reproduce, written); auto is settled after loading
  const b = values.backend;
  const ws = { root: process.cwd(), ...(b && b !== 'auto' && b !== 'wasm' ? { backend: b } : {}) };
  const profile = oneOf('profile', values.profile, PROFILES, 'full');
  let seeds: number[] | undefined;
  if (values.seeds !== undefined) {
    const parsed = parseSeeds(values.seeds);
    if (!parsed) throw new UsageError(`--seeds must be a list or range of seeds like 1,2,3 or 1-5 (got '${values.seeds}')`);
    seeds = parsed;
  }
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
  const seeds = values.seeds === undefined ? null : parseSeeds(values.seeds);
  if (values.seeds !== undefined && !seeds) throw new UsageError(`--seeds must be a list or range of seeds like 1,2,3 or 1-5 (got '${values.seeds}')`);
  return { only: values.only ? onlyList(values.only) : null, seeds };
}

export function updateMode(values: Values): UpdateMode {
  const mode = oneOf('update', values.update, UPDATE_MODES, defaultUpdateMode(process.env));
  if (isCi(process.env) && mode !== 'none') throw new UsageError(`--update ${mode} is refused under CI=true: CI never writes goldens`, 'update goldens locally and commit them');
  return mode;
}
