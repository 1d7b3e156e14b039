/** Schema validation of one parsed spec document: all errors at once, each as a Problem with
 * the JSON pointer and a fix. Pure: takes the parsed value and the file name. */
import { Ajv, type ErrorObject } from 'ajv';
import schema from './spec.schema.json' with { type: 'json' };
import { problem, type Problem } from '../errors.js';
import { uniqueProblems } from '../jsonSchema.js';
import { closestName } from '../util/closest.js';

let compiled: ReturnType<Ajv['compile']> | null = null;
function validator() {
  if (!compiled) compiled = new Ajv({ allErrors: true, strict: false, verbose: true }).compile(schema);
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

/** Names people carry over from other frameworks, for a key they mean: checked before the edit
 * distance, which would send 'l2' to 'lr'. */
const KEY_ALIASES: Record<string, string> = {
  l2: 'weightDecay', weight_decay: 'weightDecay', weightdecay: 'weightDecay', wd: 'weightDecay', l2_penalty: 'weightDecay', l2Penalty: 'weightDecay',
  l1_penalty: 'l1', l1Penalty: 'l1', learning_rate: 'lr', learningRate: 'lr', batch_size: 'batchSize', batch: 'batchSize',
  num_epochs: 'epochs', n_epochs: 'epochs', normalization: 'norm', num_groups: 'groups', drop_rate: 'dropout',
};

/** The keys the object at this error allows (the schema object holding additionalProperties). */
function allowedKeys(e: ErrorObject): string[] {
  const props = (e.parentSchema as { properties?: object } | undefined)?.properties;
  return props ? Object.keys(props) : [];
}

/** "an integer", "a number or null" */
function typeWords(type: string): string {
  return type.split(',').map((t) => (t === 'null' ? 'null' : `${/^[aeiou]/.test(t) ? 'an' : 'a'} ${t}`)).join(' or ');
}

function toProblem(file: string, doc: unknown, e: ErrorObject, base = ''): Problem {
  const ptr = base + e.instancePath;
  const got = valueAt(doc, e.instancePath);
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = (e.params as { additionalProperty: string }).additionalProperty;
      const keys = allowedKeys(e);
      const alias = KEY_ALIASES[key];
      const near = alias && keys.includes(alias) ? alias : closestName(key, keys);
      return problem(file, `${ptr}/${key}`, `unknown key '${key}'`,
        near ? `did you mean '${near}'?` : `remove it; allowed keys here: ${keys.join(', ')}`);
    }
    case 'required':
      return problem(file, ptr, `missing required key '${(e.params as { missingProperty: string }).missingProperty}'`, 'add it');
    case 'type':
      return problem(file, ptr, `must be ${typeWords(String((e.params as { type: unknown }).type))} (got ${describe(got)})`, `write ${typeWords(String((e.params as { type: unknown }).type))} here`);
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
