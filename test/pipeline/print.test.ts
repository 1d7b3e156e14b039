/** verify's last line says how many results it compared and what the docs check found. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { renderVerifyVerdict } from '../../src/pipeline/print.js';
import type { VerifyOutcome } from '../../src/verify/verify.js';

const noResult = (name: string) => ({ name, status: 'no-result' as const, golden: `results/full/${name}/result.json` });
const pass = (name: string) => ({ name, status: 'pass' as const, golden: `golden/smoke/wasm/${name}.json` });
const outcome = (verdicts: VerifyOutcome['verdicts'], staleDocs: string[] | null, profile = 'full'): VerifyOutcome => ({ profile, verdicts, obsolete: [], staleDocs, ok: true });

test('a fresh clone: compared 0 results, and the docs agree with the goldens', () => {
  assert.is(renderVerifyVerdict(outcome([noResult('a'), noResult('b')], []), 0),
    'verify full: compared 0 results (2 runs have no result; `npx normreg reproduce --profile full` makes them); the committed goldens and README/docs agree\n');
});

test('results compared; stale docs; a selection; figures', () => {
  assert.is(renderVerifyVerdict(outcome([pass('a')], [], 'smoke'), 0), 'verify smoke: compared 1 result with its golden: all match; the committed goldens and README/docs agree\n');
  const fail = { name: 'b', status: 'fail' as const, golden: 'g', differences: [], diff: '' };
  assert.is(renderVerifyVerdict(outcome([pass('a'), fail, noResult('c')], ['README.md: the smoke results table'], 'smoke'), 2),
    'verify smoke: compared 2 results with their goldens: 1 differ or lack a golden; 1 without result; 1 generated block is stale; 2 figures differ\n');
  assert.match(renderVerifyVerdict(outcome([noResult('a')], null), 0), 'compared 0 results (1 run has no result; `npx normreg reproduce --profile full` makes them); README/docs not checked');
});

test.run();
