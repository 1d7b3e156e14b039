/** Schema validation of one parsed spec document: all errors at once, each as a Problem with
 * the JSON pointer and a fix. Pure: takes the parsed value and the file name. */
import { Ajv, type ErrorObject } from 'ajv';
import schema from './spec.schema.json' with { type: 'json' };
import { problem, type Problem } from '../errors.js';
import { uniqueProblems } from '../jsonSchema.js';
import { closestName } from '../util/closest.js';

let compiled: ReturnType<Ajv['compile']> | null = null;
function validator() {
  if (!compiled) compiled = new Ajv({ allErrors: true, strict: false }).compile(schema);
  return compiled;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'object') return 'an object';
  return String(v);
}

function valueAt(doc: unknown, pointer: string): unknown {
  let cur: unknown = doc;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

function allowedKeys(schemaPath: string): string[] {
  // schemaPath like '#/definitions/training/additionalProperties' or '#/additionalProperties'
  const parts = schemaPath.replace(/^#\//, '').split('/').slice(0, -1);
  let node: any = schema;
  for (const p of parts) node = node?.[p];
  return node?.properties ? Object.keys(node.properties) : [];
}

function toProblem(file: string, doc: unknown, e: ErrorObject, base = ''): Problem {
  const ptr = base + e.instancePath;
  const got = valueAt(doc, e.instancePath);
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = (e.params as { additionalProperty: string }).additionalProperty;
      const keys = allowedKeys(e.schemaPath);
      const near = closestName(key, keys);
      return problem(file, `${ptr}/${key}`, `unknown key '${key}'`,
        near ? `did you mean '${near}'?` : `remove it; allowed keys here: ${keys.join(', ')}`);
    }
    case 'required':
      return problem(file, ptr, `missing required key '${(e.params as { missingProperty: string }).missingProperty}'`, 'add it');
    case 'type':
      return problem(file, ptr, `must be ${(e.params as { type: string }).type} (got ${describe(got)})`, `write a ${(e.params as { type: string }).type} here`);
    case 'enum':
      return problem(file, ptr, `must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')} (got ${describe(got)})`,
        'use one of the listed values');
    case 'minimum': case 'maximum': case 'exclusiveMinimum': case 'exclusiveMaximum': {
      const p = e.params as { comparison: string; limit: number };
      return problem(file, ptr, `must be ${p.comparison} ${p.limit} (got ${describe(got)})`, `use a value ${p.comparison} ${p.limit}`);
    }
    case 'pattern':
      return problem(file, ptr, `${describe(got)} does not match ${(e.params as { pattern: string }).pattern}`,
        ptr.endsWith('/name') ? 'use lowercase letters, digits and dashes (a safe file name)' : 'fix the format');
    default:
      return problem(file, ptr, `${e.message ?? 'invalid'}${got !== undefined ? ` (got ${describe(got)})` : ''}`);
  }
}

export function validateSpecDocument(file: string, doc: unknown): Problem[] {
  const v = validator();
  if (v(doc)) return [];
  return uniqueProblems((v.errors ?? []).map((e) => toProblem(file, doc, e)));
}
