/** End-to-end: the real CLI in child processes on temp workspaces, real training on the wasm backend. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, readFileSync, writeFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { makeWorkspace, normreg, tinySpec } from '../helpers/workspace.js';

test('validate: a spec with mistakes is refused with file, pointer and fix; exit 2', async () => {
  const ws = makeWorkspace({
    'good.json': tinySpec('good'),
    'bad.json': { name: 'bad', title: 'Bad', model: { norm: 'group', groups: 3 }, training: { l1: -0.001, epochz: 3 } },
  });
  const r = await normreg(ws, ['validate']);
  assert.is(r.exitCode, 2);
  assert.match(r.stderr, 'specs/bad.json /training/epochz: unknown key \'epochz\' (fix: did you mean \'epochs\'?)');
  assert.match(r.stderr, 'specs/bad.json /training/l1: must be >= 0 (got -0.001)');
  const ok = await normreg(ws, ['validate', 'specs/good.json']);
  assert.is(ok.exitCode, 0, ok.stderr);
});

test('usage errors exit 2', async () => {
  const ws = makeWorkspace({ 'a.json': tinySpec('a') });
  assert.is((await normreg(ws, ['frobnicate'])).exitCode, 2);
  assert.is((await normreg(ws, ['list', '--profile', 'huge'])).exitCode, 2);
  const r = await normreg(ws, ['verify', '--only', 'nope']);
  assert.is(r.exitCode, 2);
  assert.match(r.stderr, "no experiment named 'nope'");
  const ci = await normreg(ws, ['reproduce', '--profile', 'smoke', '--update', 'new'], { CI: 'true' });
  assert.is(ci.exitCode, 2);
  assert.match(ci.stderr, 'CI never writes goldens');
  for (const args of [['reproduce', '--profile', 'smoke'], ['bench', '--steps', '1']]) {
    const cmd = args[0];
    const t = await normreg(ws, [...args, '--threads', '3']);
    assert.is(t.exitCode, 2, `${cmd}: ${t.stderr}`);
    assert.match(t.stderr, "--threads must be 1, 2 or auto (got '3')");
  }
  assert.not.ok(existsSync(join(ws, 'results')));
});

test('missing dataset: exit 2 naming the file, nothing written', async () => {
  const ws = makeWorkspace({ 'a.json': tinySpec('a', { dataset: { source: 'idx', path: '../no-such-data' } }) });
  const r = await normreg(ws, ['reproduce', '--profile', 'smoke']);
  assert.is(r.exitCode, 2, r.stderr);
  assert.match(r.stderr, /specs\/a\.json \/dataset\/path: \S*no-such-data: dataset directory not found/);
  assert.not.ok(existsSync(join(ws, 'results')));
  assert.not.ok(existsSync(join(ws, 'golden')));
});

test('reproduce twice in separate processes: byte-identical payloads; verify, tamper, corrupt, stale README', async () => {
  const ws = makeWorkspace({ 'a.json': tinySpec('a'), 'g.json': tinySpec('g', { model: { norm: 'group' } }) }, {
    curves: [{ name: 'curves', title: 'Curves', experiments: ['a', 'g'], metrics: ['trainLoss', 'testAcc'] }],
    misclassified: { experiments: '*', count: 8 },
  });
  const first = await normreg(ws, ['reproduce', '--profile', 'smoke', '--backend', 'wasm']);
  assert.is(first.exitCode, 0, first.stdout + first.stderr);
  assert.match(first.stdout, 'written a: new golden golden/smoke/wasm/a.json');
  const resA = join(ws, 'results/smoke/a/result.json');
  const bytes1 = readFileSync(resA);
  const second = await normreg(ws, ['reproduce', '--profile', 'smoke', '--backend', 'wasm', '--force'], { CI: 'true' });
  assert.is(second.exitCode, 0, second.stdout + second.stderr);
  assert.match(second.stdout, 'ok      a: matches golden/smoke/wasm/a.json');
  assert.ok(readFileSync(resA).equals(bytes1), 'payload bytes differ between two runs');
  assert.ok(existsSync(join(ws, 'results/smoke/a/facts.json')));
  for (const f of ['curves.png', 'misclassified-a.png', 'misclassified-g.png']) {
    assert.ok(existsSync(join(ws, 'reports/smoke', f)), f);
    assert.ok(existsSync(join(ws, 'golden/smoke/wasm/figures', f)), f);
  }
  assert.match(second.stdout, 'ok      figure curves.png: matches golden/smoke/wasm/figures/curves.png');

  // a changed figure golden fails with the pixel count and a diff image
  const fig = join(ws, 'golden/smoke/wasm/figures/misclassified-a.png');
  const figBytes = readFileSync(fig);
  writeFileSync(fig, readFileSync(join(ws, 'golden/smoke/wasm/figures/misclassified-g.png')));
  const figBad = await normreg(ws, ['verify', '--profile', 'smoke'], { CI: 'true' });
  assert.is(figBad.exitCode, 1, figBad.stdout);
  assert.match(figBad.stdout, /FAIL    figure misclassified-a.png: \d+ pixel\(s\) differ from golden\/smoke\/wasm\/figures\/misclassified-a.png; diff image: results\/smoke\/figures\/misclassified-a.diff.png/);
  assert.ok(existsSync(join(ws, 'results/smoke/figures/misclassified-a.diff.png')));
  writeFileSync(fig, figBytes);

  // README table was generated and verify checks it
  assert.match(readFileSync(join(ws, 'README.md'), 'utf8'), '| A | BatchNorm |');
  assert.is((await normreg(ws, ['verify', '--profile', 'smoke'], { CI: 'true' })).exitCode, 0);

  // report --json
  const rep = await normreg(ws, ['report', '--profile', 'smoke', '--json']);
  const out = JSON.parse(rep.stdout);
  assert.equal(Object.keys(out).sort(), ['claims', 'pending', 'profile', 'rows']);
  assert.equal(Object.keys(out.rows[0]).sort(), ['backend', 'bestTestAcc', 'bestTestLoss', 'bestTrainAcc', 'comparedWith', 'delta', 'finalTestAcc', 'finalTrainAcc', 'name', 'profile', 'reference', 'seeds', 'source', 'spread', 'title']);
  assert.is(out.rows[0].comparedWith, 'own golden');
  assert.is(out.rows[0].source, 'results');

  // a changed golden value fails with the pointer and a json-diff (trainLoss: no best* is derived from it,
  // so the golden stays self-consistent; see test/e2e/files.test.ts for inconsistent ones)
  const gp = join(ws, 'golden/smoke/wasm/a.json');
  const golden = JSON.parse(readFileSync(gp, 'utf8'));
  golden.epochs[0].trainLoss += 0.001;
  writeFileSync(gp, JSON.stringify(golden));
  const bad = await normreg(ws, ['verify', '--profile', 'smoke'], { CI: 'true' });
  assert.is(bad.exitCode, 1, bad.stdout + bad.stderr);
  assert.match(bad.stdout, 'FAIL    a:');
  assert.match(bad.stdout, '/epochs/0/trainLoss');

  // a corrupt golden is a file error
  writeFileSync(gp, '{"format": 1, "name": ');
  const corrupt = await normreg(ws, ['verify', '--profile', 'smoke'], { CI: 'true' });
  assert.is(corrupt.exitCode, 2);
  assert.match(corrupt.stderr, 'golden/smoke/wasm/a.json: corrupt golden file');

  // restore the golden; make the README stale
  await normreg(ws, ['verify', '--profile', 'smoke', '--update', 'all']);
  writeFileSync(join(ws, 'README.md'), readFileSync(join(ws, 'README.md'), 'utf8').replace('| A |', '| Z |'));
  const stale = await normreg(ws, ['verify', '--profile', 'smoke'], { CI: 'true' });
  assert.is(stale.exitCode, 1);
  assert.match(stale.stdout, 'README.md: the smoke results table is stale');

  // obsolete goldens are reported
  // an obsolete golden that is itself sound (a golden holding another run's name is corrupt, exit 2)
  writeFileSync(join(ws, 'golden/smoke/wasm/gone.json'), JSON.stringify({ ...JSON.parse(readFileSync(gp, 'utf8')), name: 'gone' }));
  await normreg(ws, ['report', '--profile', 'smoke']);
  const obs = await normreg(ws, ['verify', '--profile', 'smoke'], { CI: 'true' });
  assert.match(obs.stdout, 'obsolete golden/smoke/wasm/gone.json');
  assert.is(obs.exitCode, 0, obs.stdout);
  // no temp files left behind by atomic writes
  assert.equal(readdirSync(join(ws, 'results/smoke/a')).sort(), ['facts.json', 'result.json', 'run.json']);
});

test('sweeps, seeds and claims through the CLI; a fresh clone reports and verifies from goldens alone', async () => {
  const ws = makeWorkspace({
    'base.json': tinySpec('base', { tags: ['rows'], profiles: { smoke: { dataset: { trainSize: 192, testSize: 100 }, training: { epochs: 1 }, seeds: [1, 2] } } }),
    'sw.json': tinySpec('sw', { matrix: { l1: { set: ['/training/l1'], values: [0, 0.01] } }, references: [{ at: { l1: 0 }, bestTrainAcc: 50, bestTestAcc: 60 }] }),
    'other.json': tinySpec('other'),
  });
  const claims = { claims: [{ id: 'l1-hurts', text: 'L1 hurts', checks: ['bestTestLoss(sw.l1_0) < bestTestLoss(sw.l1_0.01)'] }, { id: 'pending', text: 'Needs more', checks: ['bestTestAcc(base) > bestTestAcc(other)'] }] };
  mkdirSync(join(ws, 'reports'), { recursive: true });
  writeFileSync(join(ws, 'reports/claims.json'), JSON.stringify(claims));
  // 'other' is declared but never trained: its claim is not evaluated (a claim naming no spec is an error)
  const r = await normreg(ws, ['reproduce', '--profile', 'smoke', '--backend', 'wasm', '--only', 'base,sw']);
  assert.is(r.exitCode, 0, r.stdout + r.stderr);
  assert.is((await normreg(ws, ['report', '--profile', 'smoke'])).exitCode, 0);
  for (const n of ['base', 'base.seed_2', 'sw.l1_0', 'sw.l1_0.01']) assert.ok(existsSync(join(ws, 'golden/smoke/wasm', `${n}.json`)), n);
  const readme = readFileSync(join(ws, 'README.md'), 'utf8');
  assert.match(readme, '| BASE | BatchNorm | 0 | 0 | 1, 2 | ');
  assert.match(readme, '**smoke profile: 4 of 5 runs trained**'); // 'other' has no golden
  assert.match(readme, '**Sweep `sw`: SW** (2 runs;');
  assert.match(readme, /\| L1 hurts \*\*(holds|does not hold)\*\* \(1 seed\) \| `bestTestLoss\(sw.l1_0\) < bestTestLoss\(sw.l1_0.01\)` \|/);
  assert.match(readme, 'not evaluated (no result for other)');
  // --only takes a sweep's name; --seeds overrides the declared seeds
  const dry = await normreg(ws, ['reproduce', '--profile', 'smoke', '--only', 'sw', '--dry']);
  assert.match(dry.stdout, 'cached  sw.l1_0: unchanged');
  assert.not.match(dry.stdout, 'base');
  const tagged = await normreg(ws, ['reproduce', '--profile', 'smoke', '--only', 'rows', '--dry']);
  assert.match(tagged.stdout, 'cached  base.seed_2: unchanged');
  assert.not.match(tagged.stdout, 'sw.l1_0');
  const seeds = await normreg(ws, ['reproduce', '--profile', 'smoke', '--only', 'base', '--seeds', '1-3', '--dry']);
  assert.match(seeds.stdout, 'cached  base: unchanged');
  assert.match(seeds.stdout, 'train   base.seed_3: no result');

  // a fresh clone has goldens but no results: report --json marks rows as from goldens, verify passes
  rmSync(join(ws, 'results'), { recursive: true });
  const rep = await normreg(ws, ['report', '--profile', 'smoke', '--json']);
  const out = JSON.parse(rep.stdout);
  assert.equal(out.rows.map((x: { name: string; source: string }) => `${x.name}:${x.source}`), ['base:golden', 'sw.l1_0:golden', 'sw.l1_0.01:golden']);
  assert.equal(out.rows[0].seeds, [1, 2]);
  const v = await normreg(ws, ['verify', '--profile', 'smoke'], { CI: 'true' });
  assert.is(v.exitCode, 0, v.stdout + v.stderr);
  assert.match(v.stdout, 'skip    base: no result');
  assert.match(v.stdout, 'verify smoke: 0 ok, 0 failed, 5 without result');
  // --only pending: the runs without a committed golden, here 'other' alone (a fresh clone plans only what is missing)
  const pending = await normreg(ws, ['reproduce', '--profile', 'smoke', '--only', 'pending', '--dry']);
  assert.is(pending.exitCode, 0, pending.stderr);
  assert.match(pending.stdout, 'normreg reproduce: 1 experiment(s)');
  assert.match(pending.stdout, 'train   other: no result');
  assert.match((await normreg(ws, ['reproduce', '--profile', 'smoke', '--only', 'pending,base', '--dry'])).stdout, 'normreg reproduce: 3 experiment(s)');
});

test.run();
