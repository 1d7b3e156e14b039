/** The workspace's Markdown files that hold generated blocks (README.md and docs/*.md): reading
 * them (every malformed marker refused before anything is written), writing a profile's blocks,
 * and naming the stale ones. The IO edge of docBlocks.ts. */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ReportError } from '../errors.js';
import { writeFileAtomic } from '../workspace/store.js';
import type { Workspace } from '../workspace/paths.js';
import type { ResolvedSpec } from '../spec/types.js';
import { evaluateClaims, loadClaims } from './claims.js';
import { DOC_KINDS, fillBlocks, findBlocks, missingBlockHints, staleBlocks, type Block, type DocKind } from './docBlocks.js';
import { renderDocBlocks, wantedBlocks } from './docRender.js';
import type { Collected } from './report.js';

export interface DocFile { file: string; path: string; text: string; blocks: Block[] }

export interface DocBodies { profile: string; bodies: Record<DocKind, string>; wanted: DocKind[] }

/** README.md, then docs/*.md in name order, where they exist. */
export function loadDocFiles(root: string): DocFile[] {
  const docs = join(root, 'docs');
  const names = [
    'README.md',
    ...(existsSync(docs) ? readdirSync(docs).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`) : []),
  ].filter((f) => existsSync(join(root, f)));
  const files: DocFile[] = [];
  const problems = [];
  for (const file of names) {
    const path = join(root, file);
    const text = readFileSync(path, 'utf8');
    const found = findBlocks(file, text);
    problems.push(...found.problems);
    files.push({ file, path, text, blocks: found.blocks });
  }
  if (problems.length) throw new ReportError('DOCS_INVALID', problems);
  return files;
}

/** Every block body of a profile, from its rows (results or goldens), claims and specs. */
export function docBodies(ws: Workspace, profile: string, c: Collected, all: ResolvedSpec[]): DocBodies {
  const claims = evaluateClaims(loadClaims(ws.root, c.known), c.rows);
  const input = { profile, rows: c.rows, pending: c.pending, progress: c.progress, claims, all };
  return { profile, bodies: renderDocBlocks(input), wanted: wantedBlocks(input) };
}

function hints(files: DocFile[], d: DocBodies): string[] {
  return missingBlockHints(d.profile, files.flatMap((f) => f.blocks), d.wanted);
}

/** Write the profile's blocks into every file that holds one; files are checked first, all of them. */
export function writeDocBlocks(root: string, d: DocBodies): { updated: string[]; blocks: number; hints: string[] } {
  const files = loadDocFiles(root);
  const updated: string[] = [];
  let blocks = 0;
  for (const f of files) {
    const mine = f.blocks.filter((b) => b.profile === d.profile);
    if (mine.length === 0) continue;
    blocks += mine.length;
    if (writeFileAtomic(f.path, fillBlocks(f.text, f.blocks, d.profile, d.bodies))) updated.push(f.file);
  }
  return { updated, blocks, hints: hints(files, d) };
}

/** The profile's blocks that `report` would change, as "FILE: the PROFILE KIND" lines. */
export function staleDocBlocks(root: string, d: DocBodies): { stale: string[]; blocks: number; hints: string[] } {
  const files = loadDocFiles(root);
  const stale = files.flatMap((f) => staleBlocks(f.text, f.blocks, d.profile, d.bodies).map((b) => `${f.file}: the ${d.profile} ${DOC_KINDS[b.kind]}`));
  const blocks = files.reduce((n, f) => n + f.blocks.filter((b) => b.profile === d.profile).length, 0);
  return { stale, blocks, hints: hints(files, d) };
}
