/** Where artifacts live, and reading them back with corruption checks. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GoldenError, ResultError, problem } from '../errors.js';
import type { ResultPayload } from './types.js';
import { canonicalJson } from './canonical.js';
import { writeFileAtomic } from './store.js';

/** backend: whose results this workspace reads and writes; absent = the wasm engine, the reference. */
export interface Workspace { root: string; backend?: string }

export const REFERENCE_BACKEND = 'wasm';
export const isReference = (ws: Workspace) => !ws.backend || ws.backend === REFERENCE_BACKEND;

/** results/<profile>/ holds the reference engine's runs (the README's table); another backend's
 * runs go to results/<profile>.<backend>/ so that they never replace or mix with them. */
export function resultsProfileDir(ws: Workspace, profile: string): string {
  return join(ws.root, 'results', isReference(ws) ? profile : `${profile}.${ws.backend}`);
}

export function resultDir(ws: Workspace, profile: string, name: string): string {
  return join(resultsProfileDir(ws, profile), name);
}
export function resultPath(ws: Workspace, profile: string, name: string): string {
  return join(resultDir(ws, profile, name), 'result.json');
}
export function factsPath(ws: Workspace, profile: string, name: string): string {
  return join(resultDir(ws, profile, name), 'facts.json');
}
export function goldenPath(ws: Workspace, profile: string, backend: string, name: string): string {
  return join(ws.root, 'golden', profile, backend, `${name}.json`);
}

const REQUIRED: [keyof ResultPayload, string][] = [
  ['format', 'number'], ['name', 'string'], ['profile', 'string'], ['backend', 'string'], ['specFingerprint', 'string'],
  ['epochs', 'object'], ['best', 'object'], ['weightsSha256', 'string'], ['misclassified', 'object'],
];

/** Structural check of a payload; returns problems (empty when fine). */
export function checkPayload(file: string, v: unknown): { pointer: string; message: string }[] {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return [{ pointer: '', message: 'not a JSON object' }];
  const o = v as Record<string, unknown>;
  const out: { pointer: string; message: string }[] = [];
  for (const [k, t] of REQUIRED) if (typeof o[k] !== t) out.push({ pointer: `/${k}`, message: `missing or not a ${t}` });
  if (o.format !== undefined && o.format !== 1) out.push({ pointer: '/format', message: `unknown format ${String(o.format)}` });
  if (Array.isArray(o.epochs))
    (o.epochs as unknown[]).forEach((e, i) => {
      for (const k of ['trainLoss', 'trainAcc', 'testLoss', 'testAcc'])
        if (typeof (e as Record<string, unknown>)?.[k] !== 'number') out.push({ pointer: `/epochs/${i}/${k}`, message: 'missing or not a number' });
    });
  else if (o.epochs !== undefined) out.push({ pointer: '/epochs', message: 'not an array' });
  return out;
}

function readPayload(file: string, kind: 'golden' | 'result'): ResultPayload {
  const Err = kind === 'golden' ? GoldenError : ResultError;
  const code = kind === 'golden' ? 'GOLDEN_CORRUPT' : 'RESULT_CORRUPT';
  const fix = kind === 'golden'
    ? 'restore it from git (git checkout -- FILE) or regenerate it with --update all'
    : 'delete it and run `normreg reproduce` again';
  let v: unknown;
  try {
    v = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Err(code, [problem(file, '', `corrupt ${kind} file: ${(e as Error).message}`, fix.replace('FILE', file))], { cause: e });
  }
  const probs = checkPayload(file, v);
  if (probs.length) throw new Err(code, probs.map((p) => problem(file, p.pointer, `corrupt ${kind} file: ${p.message}`, fix.replace('FILE', file))));
  return v as ResultPayload;
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
