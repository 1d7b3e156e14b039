import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkSpread, claimStatus, evaluateClaims, parseCheck, renderClaims, validateClaims } from '../../src/report/claims.js';
import { sweepDelta, sweepSummary } from '../../src/report/sweepTable.js';
import { renderProgress, seedList } from '../../src/report/table.js';
import { withinTwoStd } from '../../src/report/rows.js';
import { renderMarkdownTable } from '../../src/report/table.js';
import { buildRow, type TableRow } from '../../src/report/rows.js';
import { expandSpec, listSpecFiles, loadSpecs } from '../../src/spec/load.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
import type { ResultPayload } from '../../src/result/types.js';

function payload(name: string, seed: number, testAcc: number[]): ResultPayload {
  const epochs = testAcc.map((a, i) => ({ epoch: i + 1, trainLoss: 1, trainAcc: a - 1, testLoss: (100 - a) / 100, testAcc: a, lr: 0.01 }));
  return {
    format: 1, name, title: name, profile: 'smoke', backend: 'wasm', seed, specFingerprint: 'f', datasetSha256: 'd', trainSize: 100, testSize: 100, epochs,
    best: { bestTrainAcc: Math.max(...testAcc) - 1, bestTestAcc: Math.max(...testAcc), bestTestLoss: (100 - Math.max(...testAcc)) / 100 },
    misclassified: { epoch: 1, count: 0, samples: [] }, weightsSha256: 'w',
  };
}

function rowOf(name: string, norm: string, accs: number[][], reference: object = {}): TableRow {
  const doc = { name, title: name.toUpperCase(), model: { norm }, reference, seeds: accs.map((_, i) => i + 1) };
  const specs = expandSpec(`specs/${name}.json`, doc, 'smoke').specs;
  return buildRow(specs.map((spec, i) => ({ spec, payload: payload(spec.name, spec.seed, accs[i]), source: 'results' as const })));
}

test('rows aggregate seeds: mean and sample standard deviation; best and final', () => {
  const r = rowOf('bn', 'batch', [[98, 90], [96, 92], [97, 94]]);
  assert.equal(r.seeds, [1, 2, 3]);
  assert.is(r.values.bestTestAcc, 97);
  assert.is(r.spread.bestTestAcc, 1);
  assert.is(r.values.finalTestAcc, 92);
  assert.is(r.spread.finalTestAcc, 2);
  const one = rowOf('ln', 'layer', [[90, 95]]);
  assert.is(one.spread.bestTestAcc, null);
});

test('claims: holds / does not hold with margins; spread where seeds exist; missing runs are not evaluated', () => {
  const rows = [rowOf('bn', 'batch', [[98], [98.2], [98.4]]), rowOf('ln', 'layer', [[97], [97.1], [97.2]])];
  const v = evaluateClaims([
    { id: 'a', text: 'BN beats LN', checks: ['bestTestAcc(bn) > bestTestAcc(ln)'] },
    { id: 'b', text: 'LN beats BN', checks: ['bestTestAcc(ln) > bestTestAcc(bn)'] },
    { id: 'c', text: 'needs a sweep', checks: ['bestTestAcc(bn) > bestTestAcc(nope)'] },
  ], rows);
  assert.is(v[0].status, 'holds');
  assert.ok(Math.abs(v[0].checks[0].margin! - 1.1) < 1e-9);
  assert.ok(Math.abs(v[0].checks[0].spread! - Math.hypot(0.2, 0.1)) < 1e-9);
  assert.is(v[1].status, 'does not hold');
  assert.ok(v[1].checks[0].margin! < 0);
  assert.is(v[2].status, 'not evaluated');
  assert.equal(v[2].checks[0].missing, ['nope']);
  const md = renderClaims(v).join('\n');
  assert.match(md, '| BN beats LN **holds** | `bestTestAcc(bn) > bestTestAcc(ln)` | 3 vs 3 | +1.10 pp | 0.22 pp | holds, beyond the spread |');
  assert.match(md, 'not evaluated (no result for nope)');
});

test('claims over seeds: a margin within the spread is not distinguishable; one seed keeps holds/fails marked "1 seed"', () => {
  // means 97.5 vs 97.0 (margin 0.5); stds 1 and ~0.71: spread sqrt(1 + 0.5) = 1.22 > 0.5
  const noisy = [rowOf('a', 'batch', [[96.5], [98.5], [97.5]]), rowOf('b', 'layer', [[96.5], [97.5]])];
  const v = evaluateClaims([{ id: 'x', text: 'A beats B', checks: ['bestTestAcc(a) > bestTestAcc(b)'] }], noisy);
  assert.is(v[0].checks[0].status, 'not distinguishable');
  assert.ok(Math.abs(v[0].checks[0].spread! - Math.sqrt(1.5)) < 1e-9);
  assert.equal(v[0].checks[0].seeds, [3, 2]);
  assert.is(v[0].status, 'not distinguishable');
  assert.match(renderClaims(v).join('\n'), '| A beats B **not distinguishable** | `bestTestAcc(a) > bestTestAcc(b)` | 3 vs 2 | +0.50 pp | 1.22 pp | not distinguishable (margin within the spread) |');
  // a failing margin beyond the spread: does not hold
  const clear = evaluateClaims([{ id: 'y', text: 'B beats A', checks: ['bestTestAcc(b) > bestTestAcc(a)'] }], [rowOf('a', 'batch', [[98], [98.1]]), rowOf('b', 'layer', [[97], [97.1]])]);
  assert.is(clear[0].checks[0].status, 'fails');
  assert.is(clear[0].status, 'does not hold');
  // one seed on both sides: holds / fails as before, marked
  const single = evaluateClaims([{ id: 'z', text: 'A beats B', checks: ['bestTestAcc(a) > bestTestAcc(b)'] }], [rowOf('a', 'batch', [[98]]), rowOf('b', 'layer', [[97]])]);
  assert.is(single[0].status, 'holds');
  assert.is(single[0].singleSeed, true);
  assert.match(renderClaims(single).join('\n'), '| A beats B **holds** (1 seed) | `bestTestAcc(a) > bestTestAcc(b)` | 1 vs 1 | +1.00 pp | – | holds (1 seed) |');
  // one side with seeds lends its spread to the other
  assert.ok(Math.abs(checkSpread(0.3, null)! - 0.3 * Math.SQRT2) < 1e-12);
  assert.is(checkSpread(null, null), null);
  const ck = (status: 'holds' | 'fails' | 'not distinguishable' | 'not evaluated') => ({ check: '', status, margin: 0, spread: 0, seeds: [1, 1] as [number, number], missing: [] });
  assert.is(claimStatus([ck('holds'), ck('not distinguishable')]), 'not distinguishable');
  assert.is(claimStatus([ck('fails'), ck('not distinguishable')]), 'does not hold');
  assert.is(claimStatus([ck('fails'), ck('not evaluated')]), 'not evaluated');
});

test('claim files: malformed checks are named by pointer', () => {
  assert.ok(parseCheck('bestTestLoss(a.b_1) < finalTestAcc(c)'));
  assert.is(parseCheck('bestTestAcc(a) >= bestTestAcc(b)'), null);
  const r = validateClaims('reports/claims.json', { claims: [{ id: 'x', text: 't', checks: ['accuracy(bn) > 1'] }, { id: 'x', text: 't', checks: [] }] });
  assert.equal(r.problems.map((p) => p.pointer).sort(), ['/claims/0/checks/0', '/claims/1/checks', '/claims/1/id']);
});

test('claim files: schema types, unknown metrics and unknown experiments, with the fix', () => {
  const known = ['bn', 'ln', 'sw.l1_0'];
  const good = validateClaims('reports/claims.json', { claims: [{ id: 'a', text: 't', checks: ['bestTestAcc(bn) > bestTestAcc(sw.l1_0)'] }] }, known);
  assert.equal(good.problems, []);
  const typed = validateClaims('reports/claims.json', { claims: [{ id: 'a', text: 7, checks: 'x' }], extra: 1 }, known);
  assert.equal(typed.problems.map((p) => `${p.pointer}: ${p.message}`).sort(), ['/claims/0/checks: must be array (got "x")', '/claims/0/text: must be string (got 7)', "/extra: unknown key 'extra'"]);
  const r = validateClaims('reports/claims.json', { claims: [{ id: 'a', text: 't', checks: ['bestTestAccc(bn) > bestTestAcc(ln)', 'bestTestAcc(bn) > bestTestAcc(lnn)', 'bestTestAcc(bn) > bestTestAcc(gone)'] }] }, known);
  assert.equal(r.claims, []);
  assert.equal(r.problems.map((p) => `${p.file} ${p.pointer}: ${p.message} (fix: ${p.fix})`), [
    `reports/claims.json /claims/0/checks/0: unknown metric 'bestTestAccc' in "bestTestAccc(bn) > bestTestAcc(ln)" (fix: did you mean 'bestTestAcc'?)`,
    `reports/claims.json /claims/0/checks/1: no experiment named 'lnn' in this profile's specs (in "bestTestAcc(bn) > bestTestAcc(lnn)") (fix: did you mean 'ln'?)`,
    `reports/claims.json /claims/0/checks/2: no experiment named 'gone' in this profile's specs (in "bestTestAcc(bn) > bestTestAcc(gone)") (fix: use a name \`normreg list\` shows (a sweep run is named like SWEEP.AXIS_VALUE...), or remove the check)`,
  ]);
  // without the list of experiments (a library caller) only the form and the metrics are checked
  assert.equal(validateClaims('c.json', { claims: [{ id: 'a', text: 't', checks: ['bestTestAcc(bn) > bestTestAcc(gone)'] }] }).problems, []);
});

test('the committed reports/claims.json names only metrics and experiments of the smoke and full specs', () => {
  for (const profile of ['smoke', 'full'] as const) {
    const specs = loadSpecs(listSpecFiles(join(ROOT, 'specs')), profile);
    const doc = JSON.parse(readFileSync(join(ROOT, 'reports/claims.json'), 'utf8'));
    assert.equal(validateClaims('reports/claims.json', doc, specs.map((s) => s.group)).problems, [], profile);
  }
});

test('markdown: the main table shows seed 1 and mean ± std, and whether the study lies within mean ± 2 std; sweeps get their own table with study deltas; pending listed', () => {
  const bn = rowOf('bn', 'batch', [[98], [98.2]], { bestTestAcc: 99 });
  const one = rowOf('ln', 'layer', [[97]], { bestTrainAcc: 96, bestTestAcc: 97.1, bestTestLoss: 0.03 });
  const sweepSpecs = expandSpec('specs/sw.json', { name: 'sw', title: 'Sweep', model: { norm: 'batch' }, matrix: { l1: { set: ['/training/l1'], values: [0, 0.001] } }, references: [{ at: { l1: 0 }, finalTrainAcc: 97, finalTestAcc: 99 }] }, 'smoke').specs;
  const sweepRows = sweepSpecs.map((spec) => buildRow([{ spec, payload: payload(spec.name, 1, [98, 97.5]), source: 'golden' as const }]));
  const md = renderMarkdownTable('smoke', [bn, one, ...sweepRows], ['gn'], [], { profile: 'smoke', runs: 9, golden: 5, resultOnly: 1 });
  // 98 and 98.2: seed 1, mean 98.10, std 0.14; study 99 is 0.9 away > 2 x 0.14
  assert.match(md, '| BN | BatchNorm | 0 | 0 | 1, 2 | 97.00 · 97.10 ± 0.14 | 98.00 · 98.10 ± 0.14 | 0.0200 · 0.0190 ± 0.0014 | – / 99.00 / – | – | −0.90 | – | – / **no** / – |');
  assert.match(md, '| LN | LayerNorm | 0 | 0 | 1 | 96.00 | 97.00 | 0.0300 | 96.00 / 97.10 / 0.0300 | +0.00 | −0.10 | +0.0000 | 1 seed |');
  assert.match(md, '**smoke profile: 5 of 9 runs trained** (a run counts once its golden is committed under `golden/smoke/`; 1 more have a local result');
  assert.match(md, '**Sweep `sw`: Sweep** (2 runs;');
  assert.match(md, '| 0 | 97.00 | 98.00 | 0.0200 | 96.50 | 97.50 | 97.00 / 99.00 (final) | −0.50 | −1.50 | **train, test** |');
  assert.match(md, '| 0.001 | 97.00 | 98.00 | 0.0200 | 96.50 | 97.50 | – | – | – | – |');
  assert.match(md, 'on 1 run(s) with a published value: 1 more than 0.3 pp away (flagged); mean Δ train −0.50 pp, mean Δ test −1.50 pp.');
  assert.match(md, 'Pending in this profile (no result and no golden yet): `gn`.');
  // seeds declared but not all trained yet
  const partial = buildRow([{ spec: expandSpec('specs/p.json', { name: 'p', title: 'P', model: { norm: 'batch' } }, 'smoke').specs[0], payload: payload('p', 1, [90]), source: 'golden' }], [1, 2, 3]);
  assert.match(renderMarkdownTable('smoke', [partial]), '| P | BatchNorm | 0 | 0 | 1 (of 1-3) | 89.00 | 90.00 |');
});

test('within mean ± 2 std, seed lists, progress, sweep deltas (final with final, best with best)', () => {
  const r = rowOf('bn', 'batch', [[98], [98.2]], { bestTestAcc: 98.3 });
  assert.is(withinTwoStd(r, 'bestTestAcc', 98.3), true); // |98.1 - 98.3| = 0.2 <= 2 x 0.1414
  assert.is(withinTwoStd(r, 'bestTestAcc', 98.5), false);
  assert.is(withinTwoStd(r, 'bestTestAcc', undefined), null);
  assert.is(withinTwoStd(rowOf('x', 'batch', [[98]]), 'bestTestAcc', 98), null);
  assert.is(seedList([3, 1, 2, 4, 5]), '1-5');
  assert.is(seedList([1, 2]), '1, 2');
  assert.is(seedList([1, 2, 4]), '1, 2, 4');
  assert.is(renderProgress({ profile: 'full', runs: 93, golden: 17, resultOnly: 0 }), '**full profile: 17 of 93 runs trained** (a run counts once its golden is committed under `golden/full/`).');
  const best = rowOf('b', 'batch', [[97, 98.5]], { bestTrainAcc: 97.3, bestTestAcc: 98.3 });
  const d = sweepDelta(best);
  assert.ok(Math.abs(d.train! - 0.2) < 1e-9 && Math.abs(d.test! - 0.2) < 1e-9);
  assert.equal(d.flagged, []);
  assert.equal(sweepDelta(rowOf('c', 'batch', [[97, 98.5]], { bestTestAcc: 98.1 })).flagged, ['test']);
  assert.is(sweepSummary([rowOf('e', 'batch', [[90]])]), 'No published value for any of these runs.');
});

test.run();
