/** Building the table rows from results (or goldens when a spec has no result) and writing README. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ResolvedSpec } from '../spec/types.js';
import type { ResultPayload } from '../result/types.js';
import { goldenPath, readGolden, readResult, resultPath, type Workspace } from '../result/files.js';
import { buildRow, renderMarkdownTable, type TableRow } from './table.js';
import { replaceSection } from './readme.js';
import { writeFileAtomic } from '../result/store.js';
import { BACKEND_CHOICES } from '../engine/backend.js';

export const TABLE_SECTION = (profile: string) => `results:${profile}`;

/** The payload a row shows: the stored result, else the first golden found (backends in preference order). */
export function payloadFor(ws: Workspace, spec: ResolvedSpec): { payload: ResultPayload; source: TableRow['source'] } | null {
  const r = readResult(resultPath(ws, spec.profile, spec.name));
  if (r) return { payload: r, source: 'results' };
  for (const b of BACKEND_CHOICES.filter((c) => c !== 'auto')) {
    const g = readGolden(goldenPath(ws, spec.profile, b, spec.name));
    if (g) return { payload: g, source: 'golden' };
  }
  return null;
}

export function collectRows(ws: Workspace, specs: ResolvedSpec[]): { rows: TableRow[]; payloads: ResultPayload[] } {
  const rows: TableRow[] = [];
  const payloads: ResultPayload[] = [];
  for (const s of specs) {
    const found = payloadFor(ws, s);
    if (!found) continue;
    rows.push(buildRow(s, found.payload, found.source));
    payloads.push(found.payload);
  }
  return { rows, payloads };
}

export function writeReadmeTable(ws: Workspace, profile: string, body: string): boolean {
  const path = join(ws.root, 'README.md');
  const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
  return writeFileAtomic(path, replaceSection(text, TABLE_SECTION(profile), body));
}

export { renderMarkdownTable };
