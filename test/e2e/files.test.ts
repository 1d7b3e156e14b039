/** End-to-end: every file the CLI reads besides specs (goldens, results, checkpoints, claims.json,
 * figures.json, shard manifests) is checked; a bad one is exit 2 naming the file, the JSON pointer
 * and the fix, and nothing is written from it. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeWorkspace, normreg, tinySpec } from '../helpers/workspace.js';

const SMOKE = ['--profile', 'smoke'];
const CI = { CI: 'true' };
const GOLDEN_FIX = 'restore it from git (git checkout -- golden/smoke/wasm/a.json) or regenerate it with --update all';

test('goldens, claims, figures and results: exit 2 with file, pointer and fix; README, figures and goldens untouched', async () => {
  const ws = makeWorkspace({ 'a.json': tinySpec('a') });
  const first = await normreg(ws, ['reproduce', ...SMOKE, '--backend', 'wasm']);
  assert.is(first.exitCode, 0, first.stdout + first.stderr);
  const gp = join(ws, 'golden/smoke/wasm/a.json');
  const goldenText = readFileSync(gp, 'utf8');
  const readme = readFileSync(join(ws, 'README.md'), 'utf8');
  const readmeUnchanged = () => assert.is(readFileSync(join(ws, 'README.md'), 'utf8'), readme, 'README.md was rewritten');

  // a fresh clone: goldens, no results
  rmSync(join(ws, 'results'), { recursive: true });
  const golden = JSON.parse(goldenText);
  writeFileSync(gp, JSON.stringify({ ...golden, best: { ...golden.best, bestTestAcc: 'high' } }));
  const high = await normreg(ws, ['verify', ...SMOKE], CI);
  assert.is(high.exitCode, 2, high.stdout + high.stderr);
  assert.is(high.stderr, `normreg: golden/smoke/wasm/a.json /best/bestTestAcc: corrupt golden file: must be number (got "high") (fix: ${GOLDEN_FIX})`);
  const highReport = await normreg(ws, ['report', ...SMOKE]);
  assert.is(highReport.exitCode, 2);
  assert.match(highReport.stderr, 'golden/smoke/wasm/a.json /best/bestTestAcc: corrupt golden file: must be number (got "high")');
  readmeUnchanged();
  // the report site is still written, showing the run as invalid, and the terminal says so
  assert.match(highReport.stdout, 'site: a: golden/smoke/wasm/a.json: invalid: golden/smoke/wasm/a.json /best/bestTestAcc: must be number (got "high")');
  assert.match(readFileSync(join(ws, 'reports/smoke/site/index.html'), 'utf8'), '<span class="state bad">invalid: golden/smoke/wasm/a.json: invalid:');
  const highJson = await normreg(ws, ['report', ...SMOKE, '--json']);
  assert.is(highJson.exitCode, 2);
  assert.is(highJson.stdout, '');
  // reproduce refuses before training anything
  const highRepro = await normreg(ws, ['reproduce', ...SMOKE, '--backend', 'wasm']);
  assert.is(highRepro.exitCode, 2, highRepro.stdout);
  assert.match(highRepro.stderr, 'golden/smoke/wasm/a.json /best/bestTestAcc: corrupt golden file');
  assert.not.ok(existsSync(join(ws, 'results')));

  writeFileSync(gp, JSON.stringify({ ...golden, epochs: [{ ...golden.epochs[0], testAcc: 140 }, ...golden.epochs.slice(1)] }));
  const over = await normreg(ws, ['verify', ...SMOKE], CI);
  assert.is(over.exitCode, 2);
  assert.match(over.stderr, `golden/smoke/wasm/a.json /epochs/0/testAcc: corrupt golden file: must be <= 100 (got 140) (fix: ${GOLDEN_FIX})`);

  writeFileSync(gp, goldenText.slice(0, 200));
  const torn = await normreg(ws, ['report', ...SMOKE]);
  assert.is(torn.exitCode, 2);
  assert.match(torn.stderr, /^normreg: golden\/smoke\/wasm\/a\.json: corrupt golden file: not valid JSON \(.+\) \(fix: restore it from git/);
  readmeUnchanged();
  const tornVerify = await normreg(ws, ['verify', ...SMOKE], CI);
  assert.is(tornVerify.exitCode, 2);
  writeFileSync(gp, goldenText);
  // the page the refused reports wrote shows the run as invalid: now stale, and verify says so
  const staleSite = await normreg(ws, ['verify', ...SMOKE], CI);
  assert.is(staleSite.exitCode, 1, staleSite.stdout + staleSite.stderr);
  assert.match(staleSite.stdout, 'FAIL    reports/smoke/site/index.html (the report site) is stale');
  rmSync(join(ws, 'reports/smoke/site'), { recursive: true });
  assert.is((await normreg(ws, ['verify', ...SMOKE], CI)).exitCode, 0);

  // claims.json naming an unknown metric, then an experiment no spec declares
  mkdirSync(join(ws, 'reports'), { recursive: true });
  const claims = join(ws, 'reports/claims.json');
  writeFileSync(claims, JSON.stringify({ claims: [{ id: 'x', text: 'X', checks: ['bestTestAccc(a) > bestTestAcc(a)'] }] }));
  const metric = await normreg(ws, ['report', ...SMOKE]);
  assert.is(metric.exitCode, 2);
  assert.is(metric.stderr, `normreg: reports/claims.json /claims/0/checks/0: unknown metric 'bestTestAccc' in "bestTestAccc(a) > bestTestAcc(a)" (fix: did you mean 'bestTestAcc'?)`);
  readmeUnchanged();
  writeFileSync(claims, JSON.stringify({ claims: [{ id: 'x', text: 'X', checks: ['bestTestAcc(a) > bestTestAcc(b)'] }] }));
  const run = await normreg(ws, ['verify', ...SMOKE], CI);
  assert.is(run.exitCode, 2);
  assert.match(run.stderr, `reports/claims.json /claims/0/checks/0: no experiment named 'b' in this profile's specs (in "bestTestAcc(a) > bestTestAcc(b)")`);
  rmSync(claims);

  // figures.json with a wrong type: nothing drawn, no figure golden, README unchanged
  writeFileSync(join(ws, 'reports/figures.json'), JSON.stringify({ curves: [], misclassified: { experiments: '*', count: '20' } }));
  const fig = await normreg(ws, ['report', ...SMOKE]);
  assert.is(fig.exitCode, 2);
  assert.match(fig.stderr, 'reports/figures.json /misclassified/count: must be integer (got string) (fix: use a whole number of digits per grid from 1 to 100)');
  readmeUnchanged();
  assert.not.ok(existsSync(join(ws, 'reports/smoke/misclassified-a.png')));
  writeFileSync(join(ws, 'reports/figures.json'), JSON.stringify({ curves: [{ name: 'c', title: 'C', experiments: ['a', 'b'], metrics: ['testAcc'] }], misclassified: { experiments: '*', count: 4 } }));
  const figRun = await normreg(ws, ['reproduce', ...SMOKE, '--backend', 'wasm']);
  assert.is(figRun.exitCode, 2);
  assert.match(figRun.stderr, `reports/figures.json /curves/0/experiments/1: no experiment named "b" in this profile's specs`);
  assert.not.ok(existsSync(join(ws, 'results')));
  assert.not.ok(existsSync(join(ws, 'golden/smoke/wasm/figures')));
  rmSync(join(ws, 'reports/figures.json'));

  // a result of the wrong type: verify and report refuse it; reproduce re-runs it (the cache heals)
  const again = await normreg(ws, ['reproduce', ...SMOKE, '--backend', 'wasm'], CI);
  assert.is(again.exitCode, 0, again.stdout + again.stderr);
  const rp = join(ws, 'results/smoke/a/result.json');
  const resultText = readFileSync(rp, 'utf8');
  writeFileSync(rp, JSON.stringify({ ...JSON.parse(resultText), trainSize: 'many' }));
  const res = await normreg(ws, ['verify', ...SMOKE], CI);
  assert.is(res.exitCode, 2);
  assert.is(res.stderr, 'normreg: results/smoke/a/result.json /trainSize: corrupt result file: must be integer (got "many") (fix: delete it and run `normreg reproduce` again)');
  const resReport = await normreg(ws, ['report', ...SMOKE]);
  assert.is(resReport.exitCode, 2);
  readmeUnchanged();
  const dry = await normreg(ws, ['reproduce', ...SMOKE, '--backend', 'wasm', '--dry']);
  assert.match(dry.stdout, 'train   a: stored result corrupt: result.json /trainSize must be integer (got "many")');
  const healed = await normreg(ws, ['reproduce', ...SMOKE, '--backend', 'wasm'], CI);
  assert.is(healed.exitCode, 0, healed.stdout + healed.stderr);
  assert.is(readFileSync(rp, 'utf8'), resultText);
});

test('merge: a manifest of the wrong shape, or a shard result of the wrong type, is refused before anything is copied', async () => {
  const ws = makeWorkspace({ 'a.json': tinySpec('a') });
  const sharded = await normreg(ws, ['reproduce', ...SMOKE, '--backend', 'wasm', '--shard', '1/1']);
  assert.is(sharded.exitCode, 0, sharded.stdout + sharded.stderr);
  const copy = mkdtempSync(join(tmpdir(), 'normreg-shard-'));
  cpSync(join(ws, 'results/smoke'), copy, { recursive: true });
  rmSync(join(ws, 'results'), { recursive: true });
  const readme = readFileSync(join(ws, 'README.md'), 'utf8');

  const manifest = join(copy, 'shards/shard-1-of-1.json');
  const good = readFileSync(manifest, 'utf8');
  writeFileSync(manifest, JSON.stringify({ ...JSON.parse(good), shard: '1/1' }));
  const shape = await normreg(ws, ['merge', ...SMOKE, copy]);
  assert.is(shape.exitCode, 2, shape.stdout + shape.stderr);
  assert.match(shape.stderr, `${join(copy, 'shards/shard-1-of-1.json')} /shard: corrupt shard manifest: must be object (got "1/1") (fix: re-run that shard`);
  writeFileSync(manifest, good);

  const rp = join(copy, 'a/result.json');
  writeFileSync(rp, JSON.stringify({ ...JSON.parse(readFileSync(rp, 'utf8')), epochs: 'two' }));
  const res = await normreg(ws, ['merge', ...SMOKE, copy]);
  assert.is(res.exitCode, 2, res.stdout + res.stderr);
  assert.match(res.stderr, `${rp} /epochs: corrupt shard result: must be array (got "two") (fix: re-run that shard and pass its results again)`);
  assert.not.ok(existsSync(join(ws, 'results/smoke/a')));
  assert.is(readFileSync(join(ws, 'README.md'), 'utf8'), readme);
});

test('a corrupt checkpoint is ignored with the reason, and the run starts afresh to the same bytes', async () => {
  const ws = makeWorkspace({ 'c.json': tinySpec('c', { profiles: { smoke: { dataset: { trainSize: 192, testSize: 100 }, training: { epochs: 2 } } } }) });
  const first = await normreg(ws, ['reproduce', ...SMOKE, '--backend', 'wasm']);
  assert.is(first.exitCode, 0, first.stdout + first.stderr);
  const dir = join(ws, 'results/smoke/c');
  const result = readFileSync(join(dir, 'result.json'), 'utf8');
  const { fingerprint } = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));
  const epoch = JSON.parse(result).epochs[0];
  rmSync(join(dir, 'result.json'));
  // the checksum is right, the content is not: what an edited or buggy checkpoint looks like
  const body = JSON.stringify({ format: 1, fingerprint, state: { epoch: 1, params: {}, buffers: {}, sgd: null, streams: {}, epochs: [{ ...epoch, testAcc: 140 }], epochSeconds: [1], lastEval: null } });
  writeFileSync(join(dir, 'checkpoint.json'), `{"sha256":"${createHash('sha256').update(body).digest('hex')}","body":${body}}\n`);
  const dry = await normreg(ws, ['reproduce', ...SMOKE, '--backend', 'wasm', '--dry']);
  assert.is(dry.exitCode, 0);
  assert.match(dry.stdout, 'train   c: no result; checkpoint ignored: /state/epochs/0/testAcc: must be <= 100 (got 140)');
  writeFileSync(join(dir, 'checkpoint.json'), '{"sha256":"ab');
  const torn = await normreg(ws, ['reproduce', ...SMOKE, '--backend', 'wasm', '--dry']);
  assert.match(torn.stdout, 'train   c: no result; checkpoint ignored: not JSON: ');
  const run = await normreg(ws, ['reproduce', ...SMOKE, '--backend', 'wasm'], CI);
  assert.is(run.exitCode, 0, run.stdout + run.stderr);
  assert.match(run.stdout, 'ok      c: matches golden/smoke/wasm/c.json');
  assert.is(readFileSync(join(dir, 'result.json'), 'utf8'), result);
  assert.is(JSON.parse(readFileSync(join(dir, 'facts.json'), 'utf8')).resumedFromEpoch, 0);
  assert.not.ok(existsSync(join(dir, 'checkpoint.json')));
});

test.run();
