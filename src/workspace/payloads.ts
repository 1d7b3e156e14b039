/** Where artifacts live, and reading them back with corruption checks. */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { goldenPlace } from './paths.js';
import { GoldenError, ResultError, displayPath, type Problem } from '../errors.js';
import { parseJson } from '../jsonSchema.js';
import { payloadPlace, validatePayload } from '../result/validate.js';
import type { ResultPayload } from '../result/types.js';
import { canonicalJson } from '../result/canonical.js';
import { writeFileAtomic } from './store.js';

export const GOLDEN_FIX = (file: string) => `restore it from git (git checkout -- ${file}) or regenerate it with --update all`;
export const RESULT_FIX = 'delete it and run `normreg reproduce` again';

/** Parse and check a payload file; every problem, named by the file as shown to the user. */
export function payloadProblems(text: string, shown: string, kind: 'golden' | 'result', place: { name: string; profile?: string; backend?: string }): { payload: ResultPayload | null; problems: Problem[] } {
  const fix = kind === 'golden' ? GOLDEN_FIX(shown) : RESULT_FIX;
  const parsed = parseJson(shown, text, fix);
  if ('problem' in parsed) return { payload: null, problems: [parsed.problem] };
  const probs = validatePayload(shown, parsed.value, fix);
  if (probs.length) return { payload: null, problems: probs };
  const p = parsed.value as ResultPayload;
  const misplaced = payloadPlace(shown, p, place, fix);
  return misplaced.length ? { payload: null, problems: misplaced } : { payload: p, problems: [] };
}

function readPayload(file: string, kind: 'golden' | 'result'): ResultPayload {
  const shown = displayPath(file);
  const place = kind === 'golden' ? goldenPlace(file) : { name: basename(dirname(file)) };
  const { payload, problems } = payloadProblems(readFileSync(file, 'utf8'), shown, kind, place);
  if (payload) return payload;
  const tagged = problems.map((p) => ({ ...p, message: `corrupt ${kind} file: ${p.message}` }));
  throw kind === 'golden' ? new GoldenError('GOLDEN_CORRUPT', tagged) : new ResultError('RESULT_CORRUPT', tagged);
}

export function readResult(file: string): ResultPayload | null {
  return existsSync(file) ? readPayload(file, 'result') : null;
}
export function readGolden(file: string): ResultPayload | null {
  return existsSync(file) ? readPayload(file, 'golden') : null;
}
export function writePayload(file: string, p: ResultPayload | object): boolean {
  return writeFileAtomic(file, canonicalJson(p));
}
