/** A spec copied from another and not fully changed: the same title (two rows of the report read
 * alike), the same `reference` block (the study's published numbers, now claimed for a second
 * experiment), and with it the other's tags (`--only table` grows a row). Warnings, not errors:
 * the spec runs as written. Pure. */
import { displayPath, problem, type Problem } from '../errors.js';
import type { ResolvedSpec } from './types.js';

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** one spec per file: its first run (a sweep's runs share the title and tags), in file order */
function perFile(specs: ResolvedSpec[]): ResolvedSpec[] {
  const first = new Map<string, ResolvedSpec>();
  for (const s of specs) if (!first.has(s.file)) first.set(s.file, s);
  return [...first.values()].sort((a, b) => a.file.localeCompare(b.file));
}

/** Warnings for the files of `checked` that copy another file of `among`; a pair of checked files is
 * reported once, on the later file. */
export function findCopiedSpecs(checked: ResolvedSpec[], among: ResolvedSpec[]): Problem[] {
  const files = new Set(checked.map((s) => s.file));
  const all = perFile(among);
  const out: Problem[] = [];
  all.forEach((s, i) => {
    if (!files.has(s.file)) return;
    const file = displayPath(s.file);
    for (const o of all.filter((o, j) => j < i || (j > i && !files.has(o.file)))) {
      const other = displayPath(o.file);
      const title = s.title === o.title;
      const reference = Object.keys(s.reference).length > 0 && sameJson(s.reference, o.reference);
      if (title) out.push(problem(file, '/title', `the same title as ${other} ('${s.title}'): a copied spec?`, 'give it a title of its own (the report names its row by it)'));
      if (reference) out.push(problem(file, '/reference', `the same reference numbers as ${other}: the study published them for that experiment`, 'remove /reference unless the study published numbers for this one'));
      const tags = s.tags.filter((t) => o.tags.includes(t));
      if ((title || reference) && tags.length)
        out.push(problem(file, '/tags', `copies the tag(s) ${tags.map((t) => `'${t}'`).join(', ')} of ${other}: --only ${tags[0]} now selects it too`, 'remove the tag unless this experiment belongs there'));
    }
  });
  return out;
}
