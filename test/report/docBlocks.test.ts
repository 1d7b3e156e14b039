import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { blockBody, fillBlocks, findBlocks, missingBlockHints, staleBlocks, type DocKind } from '../../src/report/docBlocks.js';

const bodies = (over: Partial<Record<DocKind, string>> = {}): Record<DocKind, string> =>
  ({ results: 'R', sweeps: 'S', claims: 'C', fidelity: 'F', effects: 'E', published: 'P', ...over });

const DOC = '# t\n\n<!-- normreg:results:full:start -->\nold\n<!-- normreg:results:full:end -->\n\ntext\n<!-- normreg:sweeps:smoke:start -->\n<!-- normreg:sweeps:smoke:end -->\n';

test('findBlocks: every block with its kind and profile; fillBlocks replaces only the profile asked', () => {
  const { blocks, problems } = findBlocks('README.md', DOC);
  assert.equal(problems, []);
  assert.equal(blocks.map((b) => `${b.kind}:${b.profile}`), ['results:full', 'sweeps:smoke']);
  assert.is(blockBody(DOC, blocks[0]), 'old');
  const full = fillBlocks(DOC, blocks, 'full', bodies({ results: 'new\ntable' }));
  assert.is(full, DOC.replace('\nold\n', '\nnew\ntable\n'));
  const again = findBlocks('README.md', full).blocks;
  assert.equal(staleBlocks(full, again, 'full', bodies({ results: 'new\ntable' })), []);
  assert.equal(staleBlocks(full, again, 'full', bodies({ results: 'new\ntable!' })).map((b) => b.kind), ['results']);
  assert.equal(staleBlocks(full, again, 'smoke', bodies({ sweeps: '' })), []);
});

test('findBlocks: a marker inside a sentence or inline code is prose, not a block', () => {
  const text = 'Add `<!-- normreg:results:smoke:start -->` to README.md.\n';
  assert.equal(findBlocks('docs/x.md', text), { blocks: [], problems: [] });
});

test('findBlocks: malformed markers are problems naming the file, the line and the fix', () => {
  const cases: [string, RegExp][] = [
    ['<!-- normreg:result:full:start -->\n<!-- normreg:result:full:end -->\n', /line 1: unknown generated block 'result:full'.*did you mean 'results'/],
    ['<!-- normreg:results:huge:start -->\n<!-- normreg:results:huge:end -->\n', /line 1: unknown profile 'huge'.*use one of full, smoke/],
    ['x\n<!-- normreg:results:full:start -->\n', /line 2: <!-- normreg:results:full:start --> is never closed.*add <!-- normreg:results:full:end -->/],
    ['<!-- normreg:results:full:end -->\n', /line 1: .* closes no block/],
    ['<!-- normreg:results:full:start -->\n<!-- normreg:claims:full:end -->\n', /line 2: .* closes results:full/],
    ['<!-- normreg:results:full:start -->\n<!-- normreg:claims:full:start -->\n', /line 2: .* opens a block inside results:full/],
    ['<!-- normreg:claims:full:start -->\n<!-- normreg:claims:full:end -->\n<!-- normreg:claims:full:start -->\n<!-- normreg:claims:full:end -->\n', /line 4: a second claims:full block/],
  ];
  for (const [text, message] of cases) {
    const r = findBlocks('docs/x.md', text);
    assert.equal(r.blocks, [], text);
    assert.ok(r.problems.length >= 1, text);
    assert.is(r.problems[0].file, 'docs/x.md');
    assert.ok(r.problems[0].fix, text);
    assert.match(`${r.problems[0].message} (fix: ${r.problems[0].fix})`, message);
  }
});

test('missingBlockHints: one line per wanted block no file holds, with the markers to add', () => {
  const hints = missingBlockHints('smoke', [{ kind: 'results', profile: 'full' }], ['results', 'sweeps']);
  assert.is(hints.length, 2);
  assert.match(hints[0], 'the smoke results table');
  assert.match(hints[0], '<!-- normreg:results:smoke:start --> and <!-- normreg:results:smoke:end -->');
  assert.equal(missingBlockHints('full', [{ kind: 'results', profile: 'full' }], ['results']), []);
});

test.run();
