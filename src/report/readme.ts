/** The marker comments around a generated block of README.md or docs/*.md. */

export function markers(section: string): { start: string; end: string } {
  return { start: `<!-- normreg:${section}:start -->`, end: `<!-- normreg:${section}:end -->` };
}
