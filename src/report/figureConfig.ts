/** reports/figures.json: load, validate against figures.schema.json, and pick the results a figure draws. */
import { readFile } from 'node:fs/promises';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { ResultPayload } from '../result/types.js';
import { FigureError, type FigureIssue } from './figureError.js';
import schema from './figures.schema.json' with { type: 'json' };
import { closestName } from '../util/closest.js';

export type MetricName = 'trainLoss' | 'trainAcc' | 'testLoss' | 'testAcc' | 'lr';
/** '*' = every experiment that has a result, in the order the results are given */
export type ExperimentSelection = '*' | string[];

export interface CurveFigure {
  name: string;
  title: string;
  experiments: ExperimentSelection;
  metrics: MetricName[];
}

interface MisclassifiedFigures {
  experiments: ExperimentSelection;
  count: number;
}

export interface FigureConfig {
  curves: CurveFigure[];
  misclassified: MisclassifiedFigures;
}

const SCHEMA_FILE = 'src/report/figures.schema.json';

let validator: ValidateFunction | undefined;

function compileSchema(): ValidateFunction {
  validator ??= new Ajv({ allErrors: true, verbose: true, strict: true }).compile(schema);
  return validator;
}

/** `known`: the experiments (run names) of the profile's specs; figures may name only those. */
export async function loadFigureConfig(path: string, known?: Iterable<string>): Promise<FigureConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    const issue = { pointer: '', message: `cannot read the figure config (${(cause as Error).message})`, fix: 'create it, or pass the path of an existing figure config' };
    throw new FigureError('FIGURE_CONFIG_READ', path, [issue], { cause });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (cause) {
    const issue = { pointer: '', message: `not valid JSON (${(cause as Error).message})`, fix: 'correct the JSON syntax' };
    throw new FigureError('FIGURE_CONFIG_JSON', path, [issue], { cause });
  }
  return validateFigureConfig(data, path, known);
}

/** Pure: schema check (every problem at once) plus what a schema cannot say (unique figure names,
 * experiments the specs declare). */
function validateFigureConfig(data: unknown, file: string, known?: Iterable<string>): FigureConfig {
  const validate = compileSchema();
  const issues = validate(data) ? [] : dedupe((validate.errors ?? []).filter((e) => e.keyword !== 'if').map(toIssue));
  if (issues.length === 0) issues.push(...duplicateNames(data as FigureConfig));
  if (issues.length === 0 && known) issues.push(...unknownExperiments(data as FigureConfig, new Set(known)));
  if (issues.length > 0) throw new FigureError('FIGURE_CONFIG_INVALID', file, issues);
  const { curves, misclassified } = data as FigureConfig;
  return { curves, misclassified };
}

/** The results a selection names, in the selection's order; every named experiment must have one. */
export function selectResults(selection: ExperimentSelection, results: ResultPayload[], figure: string): ResultPayload[] {
  if (selection === '*') return results;
  const byName = new Map(results.map((r) => [r.name, r]));
  const missing = selection.filter((name) => !byName.has(name));
  if (missing.length > 0) {
    const have = results.map((r) => r.name).join(', ') || 'none';
    const issue = {
      pointer: '',
      message: `${figure}: no result for ${missing.map((n) => `"${n}"`).join(', ')} (results: ${have})`,
      fix: 'produce those results first, or remove them from the figure\'s "experiments"',
    };
    throw new FigureError('FIGURE_UNKNOWN_EXPERIMENT', null, [issue]);
  }
  return selection.map((name) => byName.get(name) as ResultPayload);
}

function unknownExperiments(config: FigureConfig, known: Set<string>): FigureIssue[] {
  const lists: [string, ExperimentSelection][] = [...config.curves.map((f, i): [string, ExperimentSelection] => [`/curves/${i}/experiments`, f.experiments]), ['/misclassified/experiments', config.misclassified.experiments]];
  return lists.flatMap(([at, sel]) => sel === '*' ? [] : sel.flatMap((name, j) => known.has(name) ? [] : [{
    pointer: `${at}/${j}`,
    message: `no experiment named "${name}" in this profile's specs`,
    fix: (() => { const near = closestName(name, known); return near ? `did you mean "${near}"?` : 'use a name `normreg list` shows, or remove it'; })(),
  }]));
}

function duplicateNames(config: FigureConfig): FigureIssue[] {
  const first = new Map<string, number>();
  const issues: FigureIssue[] = [];
  config.curves.forEach((fig, i) => {
    const seen = first.get(fig.name);
    if (seen === undefined) first.set(fig.name, i);
    else issues.push({ pointer: `/curves/${i}/name`, message: `duplicate figure name "${fig.name}" (also /curves/${seen}/name)`, fix: 'give each curve figure its own name; it becomes the PNG file name' });
  });
  return issues;
}

function toIssue(e: ErrorObject): FigureIssue {
  const parent = e.parentSchema as { description?: string; properties?: Record<string, unknown> } | undefined;
  const fix = parent?.description ?? `see ${SCHEMA_FILE}`;
  const p = e.params as Record<string, unknown>;
  const got = ` (got ${JSON.stringify(e.data)})`;
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(p.additionalProperty);
      const allowed = Object.keys(parent?.properties ?? {}).join(', ');
      return { pointer: `${e.instancePath}/${escapePointer(key)}`, message: `unknown key "${key}"`, fix: `remove it, or use one of the allowed keys: ${allowed}` };
    }
    case 'required':
      return { pointer: e.instancePath, message: `missing key "${String(p.missingProperty)}"`, fix: `add it; ${fix}` };
    case 'enum':
      return { pointer: e.instancePath, message: `must be one of ${(p.allowedValues as unknown[]).join(', ')}${got}`, fix };
    case 'const':
      return { pointer: e.instancePath, message: `must be ${JSON.stringify(p.allowedValue)}${got}`, fix };
    case 'minItems':
    case 'minLength':
      return { pointer: e.instancePath, message: p.limit === 1 ? 'must not be empty' : `${e.message}${got}`, fix };
    case 'uniqueItems':
      return { pointer: e.instancePath, message: `lists ${JSON.stringify((e.data as unknown[])[Number(p.i)])} twice (items ${String(p.j)} and ${String(p.i)})`, fix };
    case 'type':
      return { pointer: e.instancePath, message: `must be ${String(p.type)} (got ${jsonType(e.data)})`, fix };
    default:
      return { pointer: e.instancePath, message: `${e.message ?? e.keyword}${got}`, fix };
  }
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return Number.isInteger(value) ? 'integer' : typeof value;
}

function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

function dedupe(issues: FigureIssue[]): FigureIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${i.pointer}\u0000${i.message}`;
    return seen.has(key) ? false : (seen.add(key), true);
  });
}
