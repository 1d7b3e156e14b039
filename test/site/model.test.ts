/** The site's model from real files: a corrupt golden, a missing one and a differing local result
 * show up per run (never as an exception), the row keeps the seeds that remain, and the page
 * renders the same bytes twice. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listSpecFiles, loadSpecs } from '../../src/spec/load.js';
import { buildSiteModel, loadSiteInputs, renderSite } from '../../src/site/index.js';

const ROOT = new URL('../..', import.meta.url).pathname;

function workspace(): string {
  const ws = mkdtempSync(join(tmpdir(), 'normreg-site-model-'));
  mkdirSync(join(ws, 'specs'));
  cpSync(join(ROOT, 'specs/batchnorm.json'), join(ws, 'specs/batchnorm.json'));
  mkdirSync(join(ws, 'golden/full/wasm'), { recursive: true });
  for (const n of ['batchnorm', 'batchnorm.seed_2', 'batchnorm.seed_3', 'batchnorm.seed_4', 'batchnorm.seed_5'])
    cpSync(join(ROOT, `golden/full/wasm/${n}.json`), join(ws, `golden/full/wasm/${n}.json`));
  return ws;
}

test('missing and invalid files become per-run states; a differing result fails verify with metric, golden and tolerance', () => {
  const ws = workspace();
  try {
    const g2 = join(ws, 'golden/full/wasm/batchnorm.seed_2.json');
    const doc = JSON.parse(readFileSync(g2, 'utf8'));
    writeFileSync(g2, JSON.stringify({ ...doc, best: { ...doc.best, bestTestAcc: 'high' } }));
    rmSync(join(ws, 'golden/full/wasm/batchnorm.seed_3.json'));
    const g4 = JSON.parse(readFileSync(join(ws, 'golden/full/wasm/batchnorm.seed_4.json'), 'utf8'));
    mkdirSync(join(ws, 'results/full/batchnorm.seed_4'), { recursive: true });
    g4.epochs[0].testAcc += 0.01;
    writeFileSync(join(ws, 'results/full/batchnorm.seed_4/result.json'), JSON.stringify(g4));

    const specs = loadSpecs(listSpecFiles(join(ws, 'specs')), 'full');
    const m = buildSiteModel(loadSiteInputs({ root: ws }, 'full', specs, specs, true));
    const byName = Object.fromEntries(m.runs.map((r) => [r.name, r]));
    assert.is(byName['batchnorm'].state, 'ok');
    assert.is(byName['batchnorm'].source, 'golden');
    assert.is(byName['batchnorm.seed_2'].state, 'invalid');
    assert.equal(byName['batchnorm.seed_2'].problems, ['golden/full/wasm/batchnorm.seed_2.json: invalid: golden/full/wasm/batchnorm.seed_2.json /best/bestTestAcc: must be number (got "high")']);
    assert.is(byName['batchnorm.seed_3'].state, 'no result');
    assert.is(byName['batchnorm.seed_4'].source, 'result');
    assert.is(byName['batchnorm.seed_4'].verify!.status, 'fail');
    assert.equal(byName['batchnorm.seed_4'].verify!.differences.map((d) => [d.pointer, d.allowed]), [['/epochs/0/testAcc', 0]]);
    assert.is(byName['batchnorm.seed_5'].verify, null);
    assert.equal(m.notices, ['batchnorm.seed_2: golden/full/wasm/batchnorm.seed_2.json: invalid: golden/full/wasm/batchnorm.seed_2.json /best/bestTestAcc: must be number (got "high")', 'batchnorm.seed_3: no result']);
    assert.equal(m.rows.map((r) => r.seeds), [[1, 4, 5]]);
    assert.equal(m.counts, { runs: 5, golden: 3, results: 1, noResult: 1, invalid: 1, rows: 1, sweeps: 0, claims: 0 });

    const html = renderSite(m, '/* vendor */');
    assert.is(renderSite(buildSiteModel(loadSiteInputs({ root: ws }, 'full', specs, specs, true)), '/* vendor */'), html, 'same inputs, same bytes');
    assert.match(html, '<span class="state bad">invalid: golden/full/wasm/batchnorm.seed_2.json: invalid:');
    assert.match(html, '<span class="state none">no result</span>');
    assert.match(html, 'verify: FAIL (1)');
  } finally {
    rmSync(ws, { recursive: true, force: true });
  }
});

test('the committed page reads goldens only and names them by a digest that sha256sum gives too, in any clone', () => {
  const ws = workspace();
  const clone = mkdtempSync(join(tmpdir(), 'normreg-site-clone-'));
  try {
    const g4 = JSON.parse(readFileSync(join(ws, 'golden/full/wasm/batchnorm.seed_4.json'), 'utf8'));
    g4.epochs[0].testAcc += 0.01;
    mkdirSync(join(ws, 'results/full/batchnorm.seed_4'), { recursive: true });
    writeFileSync(join(ws, 'results/full/batchnorm.seed_4/result.json'), JSON.stringify(g4));
    const specs = loadSpecs(listSpecFiles(join(ws, 'specs')), 'full');
    const m = buildSiteModel(loadSiteInputs({ root: ws }, 'full', specs, specs, false));
    assert.equal(m.runs.map((r) => [r.source, r.verify]), specs.map(() => ['golden', null]));
    assert.is(m.counts.results, 0);
    const shell = execFileSync('sh', ['-c', 'cd golden/full/wasm && LC_ALL=C ls *.json | xargs cat | sha256sum'], { cwd: ws }).toString().split(' ')[0];
    assert.equal(m.goldens, { dir: 'golden/full/wasm', files: 5, sha256: shell });

    cpSync(ws, clone, { recursive: true });
    const html = renderSite(m, '');
    assert.is(renderSite(buildSiteModel(loadSiteInputs({ root: clone }, 'full', specs, specs, false)), ''), html, 'another clone, the same page');
    writeFileSync(join(clone, 'golden/full/wasm/batchnorm.json'), readFileSync(join(clone, 'golden/full/wasm/batchnorm.json'), 'utf8') + '\n');
    assert.is.not(buildSiteModel(loadSiteInputs({ root: clone }, 'full', specs, specs, false)).goldens!.sha256, shell, 'a golden\'s bytes change the digest');
  } finally {
    rmSync(ws, { recursive: true, force: true });
    rmSync(clone, { recursive: true, force: true });
  }
});

test.run();
