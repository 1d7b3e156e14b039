/** Argument parsing shared by the commands: flags, the profile, the selected specs. */
import { parseArgs } from 'node:util';
import { basename, dirname, isAbsolute, relative, resolve } from 'node:path';
import { UsageError, displayPath } from '../errors.js';
import { closestName } from '../util/closest.js';
import { COMMANDS, FLAGS, GLOBAL_FLAGS, type FlagDecl, type FlagName } from './table.js';
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

/** A flag's value as the commands see it: a string flag's text, a boolean flag's presence. */
export type Values = { [K in FlagName]?: (typeof FLAGS)[K] extends { multiple: true } ? string[] : (typeof FLAGS)[K]['type'] extends 'string' ? string : boolean };

export type Invocation =
  | { kind: 'help'; command?: string; exitCode: number }
  | { kind: 'version' }
  | { kind: 'run'; command: string; values: Values; positionals: string[] };

const flagNames = (names: readonly string[]) => names.map((n) => `--${n}`).join(', ');
const meant = (word: string, options: Iterable<string>, prefix = '') => {
  const m = closestName(word, options);
  return m ? `did you mean '${prefix}${m}'? ` : '';
};

/** argv -> the command, its flags and arguments; every flag or argument the command does not take is
 * refused here, naming it, with the nearest one it takes and where its help is. */
export function parseCommandLine(argv: string[]): Invocation {
  const { tokens } = parseArgs({ args: argv, options: FLAGS, strict: false, allowPositionals: true, tokens: true });
  const positionals = tokens.flatMap((t) => (t.kind === 'positional' ? [t.value] : []));
  const [command, ...rest] = positionals;
  const options = tokens.flatMap((t) => (t.kind === 'option' ? [t] : []));
  const has = (name: string) => options.some((o) => o.name === name);
  if (command === undefined) {
    if (has('version') && !has('help')) return { kind: 'version' };
    return { kind: 'help', exitCode: has('help') ? 0 : 2 };
  }
  const decl = COMMANDS[command];
  const visible = Object.keys(COMMANDS).filter((c) => !COMMANDS[c].hidden);
  if (!decl) throw new UsageError(`unknown command '${command}'`, `${meant(command, visible)}the commands: ${visible.join(', ')} (normreg --help)`);
  const takes: string[] = [...decl.flags, ...GLOBAL_FLAGS, 'version'];
  const seen = new Set<string>();
  for (const o of options) {
    const shown = o.rawName;
    const help = `normreg ${command} --help lists what it takes`;
    if (!(o.name in FLAGS)) throw new UsageError(`${command}: unknown option '${shown}'`, `${meant(o.name, decl.flags, '--')}${help}`);
    if (!takes.includes(o.name)) throw new UsageError(`${command} does not take ${shown}`, decl.flags.length ? `${meant(o.name, decl.flags, '--')}it takes ${flagNames(decl.flags)}` : `it takes no options (${help})`);
    const f: FlagDecl = FLAGS[o.name as FlagName];
    const form = `--${o.name}${f.arg ? ` ${f.arg}` : ''}`;
    if (seen.has(o.name) && !f.multiple) throw new UsageError(`${command}: ${shown} is given twice`, `give it once${f.type === 'string' ? ', with a comma-separated list where it takes one' : ''}`);
    seen.add(o.name);
    if (f.type === 'boolean' && o.value !== undefined) throw new UsageError(`${command}: ${shown} takes no value (got '${shown}=${o.value}')`, `write ${shown} alone`);
    if (f.type === 'string' && o.value === undefined) throw new UsageError(`${command}: ${shown} needs a value`, `write ${form}`);
    if (f.type === 'string' && !o.inlineValue && o.value!.startsWith('-')) throw new UsageError(`${command}: ${shown} needs a value, but the next argument is '${o.value}'`, `write ${form}, or ${shown}=${o.value} if the value starts with '-'`);
  }
  if (has('help')) return { kind: 'help', command, exitCode: 0 };
  if (has('version')) return { kind: 'version' };
  if (command === 'help') {
    if (rest.length > 1) throw new UsageError(`help takes one command (got ${rest.map((r) => `'${r}'`).join(' ')})`, 'write normreg help COMMAND');
    if (rest.length && !visible.includes(rest[0]) && rest[0] !== 'worker') throw new UsageError(`help: unknown command '${rest[0]}'`, `${meant(rest[0], visible)}the commands: ${visible.join(', ')}`);
    return { kind: 'help', command: rest[0], exitCode: 0 };
  }
  if (decl.positionals === 'none' && rest.length) throw new UsageError(`${command} takes no arguments (got ${rest.map((r) => `'${r}'`).join(' ')})`, `normreg ${command} --help lists what it takes`);
  const { values } = parseArgs({ args: argv, options: FLAGS, strict: false, allowPositionals: true });
  return { kind: 'run', command, values: { ...values } as Values, positionals: rest };
}

/** Experiment names given as arguments join --only; a spec file (specs/batchnorm.json) stands for
 * its spec, and must be one of the spec folder's. */
export function withNames(values: Values, names: string[]): Values {
  if (!names.length) return values;
  const dir = resolve(values.specs ?? 'specs');
  const asNames = names.map((n) => {
    if (!n.endsWith('.json') && !n.includes('/')) return n;
    const file = resolve(n);
    if (!existsSync(file)) throw new UsageError(`${n}: no such spec file`, 'name an experiment (normreg list), or a file in the spec folder');
    if (dirname(file) !== dir || !file.endsWith('.json')) throw new UsageError(`${n}: not a spec file of the spec folder ${displayPath(dir)}`, `pass --specs ${displayPath(dirname(file))} to use that folder, or \`normreg validate ${n}\` to check one file`);
    return basename(file, '.json');
  });
  return { ...values, only: [...(values.only === undefined ? [] : [values.only]), ...asNames].join(',') };
}

/** --specs: a folder of this workspace (its claims, figures and docs are about its own runs); another
 * workspace's spec folder is reached with -C. */
function specDir(values: Values): string {
  const dir = resolve(values.specs ?? 'specs');
  const rel = relative(process.cwd(), dir);
  if (values.specs !== undefined && (rel.startsWith('..') || isAbsolute(rel)))
    throw new UsageError(`--specs ${values.specs}: a spec folder outside this workspace (${process.cwd()})`, basename(dir) === 'specs'
      ? `run in the workspace that holds it: normreg -C ${displayPath(dirname(dir))} <command>`
      : `make it a workspace's specs/ folder (mkdir W && cp -r ${values.specs} W/specs), then run normreg -C W <command>`);
  return dir;
}

/** The workspace, profile and selected runs of a command. An empty selection (only --only pending
 * can select none) is refused unless `allowEmpty`. */
export function common(values: Values, files?: string[], opts: { allowEmpty?: boolean } = {}): Common {
  // --backend picks whose results are read (and, in reproduce, written); auto is settled after loading
  const b = values.backend;
  const ws = { root: process.cwd(), ...(b && b !== 'auto' && b !== 'wasm' ? { backend: b } : {}) };
  const profile = oneOf('profile', values.profile, PROFILES, 'full');
  const seeds = seedsFlag(values.seeds);
  const specFiles = files && files.length ? files.map((f) => resolve(f)) : listSpecFiles(specDir(values));
  let specs = loadSpecs(specFiles, profile, seeds);
  const all = specs;
  let filtered = seeds !== undefined;
  if (values.only !== undefined) {
    if (!onlyList(values.only).length) throw new UsageError(`--only needs at least one name (got '${values.only}')`, "name experiments (normreg list), a tag such as 'table', or 'pending'; leave --only out to select every run");
    // a run's name, its group (all its seeds), a sweep's name (all its runs), a tag (specs/*.json
    // "tags") or 'pending': every run without a committed golden (for this backend)
    const wanted = onlyList(values.only);
    const named = (s: ResolvedSpec, w: string) => s.name === w || s.group === w || s.sweep?.name === w || s.tags.includes(w);
    const pendingWord = (w: string) => w === PENDING && !specs.some((s) => named(s, w));
    const matches = (s: ResolvedSpec, w: string) => named(s, w) || (pendingWord(w) && !existsSync(goldenPath(ws, profile, ws.backend ?? REFERENCE_BACKEND, s.name)));
    const unknown = wanted.filter((w) => !pendingWord(w) && !specs.some((s) => matches(s, w)));
    if (unknown.length) {
      const known = [...new Set([...specs.flatMap((s) => s.tags), ...specs.map((s) => s.sweep?.name ?? s.group)])];
      const near = unknown.map((u) => closestName(u, [...known, ...specs.map((s) => s.name)])).filter(Boolean);
      throw new UsageError(`--only: no experiment named ${unknown.map((u) => `'${u}'`).join(', ')}`, `${near.length ? `did you mean ${near.map((n) => `'${n}'`).join(', ')}? ` : ''}known: ${known.join(', ')}, ${PENDING} (runs without a golden), or a single run's name (see \`normreg list\`)`);
    }
    specs = specs.filter((s) => wanted.some((w) => matches(s, w)));
    filtered = true;
    if (!specs.length && !opts.allowEmpty) throw new UsageError(`--only ${values.only}: every run of the ${profile} profile has a golden, so nothing is selected`, `leave out --only ${PENDING} to select every run`);
  }
  return { ws, profile, specs, all, filtered };
}

/** reproduce --only pending when every run has a golden: what to say instead of training nothing */
export function nothingPending(c: Common): string | null {
  return c.filtered && c.specs.length === 0 ? `every run of the ${c.profile} profile has a golden (--only ${PENDING} selects none): nothing to train` : null;
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
