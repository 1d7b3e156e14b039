/** Replacing a generated section of README.md between marker comments (pure string functions). */
import { ReportError, problem } from '../errors.js';

export function markers(section: string): { start: string; end: string } {
  return { start: `<!-- normreg:${section}:start -->`, end: `<!-- normreg:${section}:end -->` };
}

export function readSection(readme: string, section: string): string | null {
  const { start, end } = markers(section);
  const i = readme.indexOf(start);
  const j = readme.indexOf(end);
  if (i < 0 || j < i) return null;
  return readme.slice(i + start.length, j).replace(/^\n/, '').replace(/\n$/, '');
}

export function replaceSection(readme: string, section: string, body: string): string {
  const { start, end } = markers(section);
  const i = readme.indexOf(start);
  const j = readme.indexOf(end);
  if (i < 0 || j < i) throw new ReportError('DOCS_INVALID', [problem('README.md', '', `no ${start} ... ${end} markers`, `add the two lines ${start} and ${end} where the section should go`)]);
  return readme.slice(0, i + start.length) + '\n' + body + '\n' + readme.slice(j);
}
