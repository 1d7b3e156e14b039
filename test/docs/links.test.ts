/** The docs as a newcomer reads them on a fresh clone: every relative link and image in README.md
 * and docs/*.md points at a file of this repository (and at a heading that exists, for a
 * Markdown target), none leaves it, and README.md stays a front page. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const FILES = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];

/** Markdown links and images outside code: [text](target) and ![alt](target). */
function links(text: string): string[] {
  const prose = text.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  return [...prose.matchAll(/!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1]);
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
function anchors(text: string): Set<string> {
  const prose = text.replace(/```[\s\S]*?```/g, '');
  return new Set([...prose.matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) => m[1].trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-')));
}

test('every relative link and image resolves to a file in the repository', () => {
  const bad: string[] = [];
  let checked = 0;
  for (const file of FILES) {
    for (const target of links(readFileSync(join(ROOT, file), 'utf8'))) {
      if (/^[a-z]+:/i.test(target)) continue; // https:, mailto:
      checked++;
      const [path, anchor] = target.split('#');
      const abs = path ? resolve(ROOT, dirname(file), decodeURIComponent(path)) : join(ROOT, file);
      const rel = relative(ROOT, abs);
      if (rel.startsWith('..') || rel.split(sep)[0] === '..') bad.push(`${file}: ${target} leaves the repository`);
      else if (!existsSync(abs)) bad.push(`${file}: ${target} does not exist`);
      else if (anchor && abs.endsWith('.md') && !anchors(readFileSync(abs, 'utf8')).has(anchor)) bad.push(`${file}: ${target}: no heading #${anchor} in ${rel}`);
    }
  }
  assert.ok(checked > 40, `only ${checked} links found: is the link pattern still right?`);
  assert.equal(bad, []);
});

test('no doc refers to files outside the repository (the seed write-up, ../shared)', () => {
  for (const file of FILES) {
    const text = readFileSync(join(ROOT, file), 'utf8');
    for (const word of ['../shared', 'README-original.md', 'REFERENCE.md'])
      assert.not.ok(text.includes(word), `${file} mentions ${word}, which a clone does not have`);
  }
});

test('README.md is a front page: at most 200 lines, with the full results, the curves and the docs', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const lines = readme.split('\n').length;
  assert.ok(lines <= 200, `README.md has ${lines} lines`);
  assert.match(readme, /^<!-- normreg:results:full:start -->$/m);
  assert.match(readme, '](reports/full/curves.png)');
  for (const page of ['study', 'findings', 'results-smoke', 'running', 'backends', 'specs', 'troubleshooting'])
    assert.match(readme, `](docs/${page}.md)`);
});

test('the docs carry the generated blocks that hold their numbers', () => {
  const has = (file: string, block: string) => assert.match(readFileSync(join(ROOT, file), 'utf8'), new RegExp(`^<!-- normreg:${block}:start -->$`, 'm'), `${file} lacks ${block}`);
  has('docs/study.md', 'published:full');
  for (const b of ['fidelity:full', 'claims:full', 'sweeps:full', 'effects:full']) has('docs/findings.md', b);
  has('docs/results-smoke.md', 'results:smoke');
  has('docs/results-smoke.md', 'sweeps:smoke');
});

test.run();
