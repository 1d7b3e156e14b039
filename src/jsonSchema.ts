/** JSON Schema checks for the files the harness reads (goldens, results, run records, shard
 * manifests, claims, checkpoints): every error at once, each as a Problem with the JSON pointer
 * and a fix. Pure; specs and figures.json keep their own wording (spec/validate.ts, figureConfig.ts). */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { problem, type Problem } from './errors.js';

const compiled = new WeakMap<object, ValidateFunction>();

/** `refs`: other schemas (with an $id) this one points into with $ref. */
function validator(schema: object, refs: object[]): ValidateFunction {
  let v = compiled.get(schema);
  if (!v) {
    const ajv = new Ajv({ allErrors: true, strict: false, verbose: true });
    for (const r of refs) ajv.addSchema(r);
    v = ajv.compile(schema);
    compiled.set(schema, v);
  }
  return v;
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v);
  if (typeof v === 'object') return 'an object';
  return String(v);
}

function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** One schema error in words. `fix`: the way out for this kind of file (restore, regenerate...);
 * where the schema knows better (allowed keys, allowed values) that is said first. */
function toProblem(file: string, e: ErrorObject, fix: string): Problem {
  const ptr = e.instancePath;
  const p = e.params as Record<string, unknown>;
  const got = describeValue(e.data);
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(p.additionalProperty);
      const allowed = Object.keys((e.parentSchema as { properties?: object })?.properties ?? {});
      return problem(file, `${ptr}/${escapePointer(key)}`, `unknown key '${key}'`, `remove it (allowed keys here: ${allowed.join(', ')}); ${fix}`);
    }
    case 'required':
      return problem(file, ptr, `missing required key '${String(p.missingProperty)}'`, fix);
    case 'type':
      return problem(file, ptr, `must be ${String(p.type)} (got ${got})`, fix);
    case 'enum':
      return problem(file, ptr, `must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')} (got ${got})`, fix);
    case 'const':
      return problem(file, ptr, `must be ${JSON.stringify(p.allowedValue)} (got ${got})`, fix);
    case 'minimum': case 'maximum': case 'exclusiveMinimum': case 'exclusiveMaximum':
      return problem(file, ptr, `must be ${String(p.comparison)} ${String(p.limit)} (got ${got})`, fix);
    case 'pattern':
      return problem(file, ptr, `${got} does not match ${String(p.pattern)}`, fix);
    case 'minItems': case 'maxItems': case 'minLength': case 'maxLength':
      return problem(file, ptr, `${e.message ?? e.keyword} (got ${got})`, fix);
    default:
      return problem(file, ptr, `${e.message ?? e.keyword} (got ${got})`, fix);
  }
}

/** Pointers of numbers JSON.parse made infinite (1e999): no schema keyword refuses them. */
function nonFinite(v: unknown, at = ''): string[] {
  if (typeof v === 'number') return Number.isFinite(v) ? [] : [at];
  if (v && typeof v === 'object') return Object.entries(v).flatMap(([k, x]) => nonFinite(x, `${at}/${escapePointer(k)}`));
  return [];
}

/** Problems of `doc` against `schema`; empty when it conforms. */
export function schemaProblems(schema: object, file: string, doc: unknown, fix: string, refs: object[] = []): Problem[] {
  const v = validator(schema, refs);
  const out: Problem[] = nonFinite(doc).map((ptr) => problem(file, ptr, 'must be a finite number (got a number too large for a float)', fix));
  if (v(doc)) return out;
  return uniqueProblems([...out, ...(v.errors ?? []).filter((e) => e.keyword !== 'if').map((e) => toProblem(file, e, fix))]);
}

/** ajv reports one mistake once per failing branch: keep the first of each pointer + message. */
export function uniqueProblems(problems: Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.pointer}|${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Parse JSON text; a syntax error becomes a Problem for the whole file. */
export function parseJson(file: string, text: string, fix: string): { value: unknown } | { problem: Problem } {
  try {
    return { value: JSON.parse(text) };
  } catch (e) {
    return { problem: problem(file, '', `not valid JSON (${(e as Error).message.replace(/\s+/g, ' ')})`, fix) };
  }
}
