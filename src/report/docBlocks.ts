/** Generated blocks in Markdown files: `<!-- normreg:KIND:PROFILE:start -->` ... `:end -->`.
 * Each marker is a line of its own. Finding them (with every malformed marker as a problem) and
 * filling them. Pure. */
import { closestName } from '../util/closest.js';
import { problem, type Problem } from '../errors.js';
import { PROFILES } from '../spec/types.js';
import { markers } from './readme.js';

/** What each kind of block holds, as its stale message names it. */
export const DOC_KINDS = {
  results: 'results table', // progress, the table rows, pending runs, claims
  sweeps: 'sweep tables',
  claims: 'claims table',
  fidelity: 'fidelity table',
  effects: 'sweep effects table',
  published: 'published values',
} as const;
export type DocKind = keyof typeof DOC_KINDS;

export interface Block {
  kind: DocKind;
  profile: string;
  /** offsets of the body: between the end of the start marker and the start of the end marker */
  from: number;
  to: number;
}

// a marker is a line of its own: the same text inside a sentence or inline code is prose
const MARKER = /^<!-- normreg:([^\s>]*):(start|end) -->[ \t]*$/gm;

function lineOf(text: string, offset: number): number {
  return text.slice(0, offset).split('\n').length;
}

/** Every block of one file, or the problems that keep it from being read (nothing is written then). */
export function findBlocks(file: string, text: string): { blocks: Block[]; problems: Problem[] } {
  const blocks: Block[] = [];
  const problems: Problem[] = [];
  const kinds = Object.keys(DOC_KINDS);
  let open: { section: string; at: number; from: number } | null = null;
  for (const m of text.matchAll(MARKER)) {
    const [whole, section, edge] = m;
    const at = m.index!;
    const where = `line ${lineOf(text, at)}`;
    const [kind, profile, ...rest] = section.split(':');
    if (edge === 'start') {
      if (open) {
        problems.push(problem(file, '', `${where}: ${whole} opens a block inside ${open.section} (line ${lineOf(text, open.at)})`, `close it first with ${markers(open.section).end}`));
        continue;
      }
      if (!kinds.includes(kind) || rest.length || !profile) {
        const near = closestName(kind, kinds);
        problems.push(problem(file, '', `${where}: unknown generated block '${section}'`, `write <!-- normreg:KIND:PROFILE:start --> with KIND one of ${kinds.join(', ')}${near && near !== kind ? ` (did you mean '${near}'?)` : ''} and PROFILE one of ${PROFILES.join(', ')}`));
      } else if (!(PROFILES as readonly string[]).includes(profile)) {
        problems.push(problem(file, '', `${where}: unknown profile '${profile}' in ${whole}`, `use one of ${PROFILES.join(', ')}`));
      }
      open = { section, at, from: at + whole.length };
    } else {
      if (!open) {
        problems.push(problem(file, '', `${where}: ${whole} closes no block`, `add ${markers(section).start} above it, or delete it`));
        continue;
      }
      if (open.section !== section) {
        problems.push(problem(file, '', `${where}: ${whole} closes ${open.section} (opened line ${lineOf(text, open.at)})`, `end it with ${markers(open.section).end}`));
        open = null;
        continue;
      }
      if (blocks.some((b) => `${b.kind}:${b.profile}` === section))
        problems.push(problem(file, '', `${where}: a second ${section} block in this file`, 'keep one of them'));
      blocks.push({ kind: kind as DocKind, profile, from: open.from, to: at });
      open = null;
    }
  }
  if (open) problems.push(problem(file, '', `line ${lineOf(text, open.at)}: ${markers(open.section).start} is never closed`, `add ${markers(open.section).end} after it`));
  return { blocks: problems.length ? [] : blocks, problems };
}

/** A block's body as stored (without the newlines next to its markers). */
export function blockBody(text: string, b: Block): string {
  return text.slice(b.from, b.to).replace(/^\n/, '').replace(/\n$/, '');
}

/** The text with the given profile's blocks replaced by their new bodies (others untouched). */
export function fillBlocks(text: string, blocks: Block[], profile: string, bodies: Record<DocKind, string>): string {
  let out = '';
  let pos = 0;
  for (const b of [...blocks].sort((x, y) => x.from - y.from)) {
    if (b.profile !== profile) continue;
    out += text.slice(pos, b.from) + '\n' + bodies[b.kind] + '\n';
    pos = b.to;
  }
  return out + text.slice(pos);
}

/** The profile's blocks whose stored body differs from the rendered one. */
export function staleBlocks(text: string, blocks: Block[], profile: string, bodies: Record<DocKind, string>): Block[] {
  return blocks.filter((b) => b.profile === profile && blockBody(text, b) !== bodies[b.kind]);
}

/** One line per block a workspace should have but no file holds: where to add which markers. */
export function missingBlockHints(profile: string, present: { kind: DocKind; profile: string }[], wanted: DocKind[]): string[] {
  return wanted
    .filter((k) => !present.some((b) => b.kind === k && b.profile === profile))
    .map((k) => {
      const m = markers(`${k}:${profile}`);
      return `not written: the ${profile} ${DOC_KINDS[k]} (no README.md or docs/*.md has its markers; add the two lines ${m.start} and ${m.end} where it should go, e.g. in README.md)`;
    });
}
