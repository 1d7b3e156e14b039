/** The generated doc blocks through the real CLI: verify flags a stale one in the committed docs,
 * a workspace without README or markers works end to end, a malformed marker is refused, and a
 * report row never mixes backends. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cpSync, existsSync, mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { normreg, tinySpec } from '../helpers/workspace.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const noCrash = (r: { stdout: string; stderr: string }) => {
  assert.not.match(r.stderr, 'internal error');
  assert.not.match(r.stderr + r.stdout, /\n\s+at .*\(.*:\d+:\d+\)/);
};

test('verify fails when a generated number in docs/ or README.md is edited; report restores it', async () => {
  const ws = mkdtempSync(join(tmpdir(), 'normreg-docs-'));
  for (const p of ['specs', 'golden', 'reports', 'docs', 'README.md']) cpSync(join(ROOT, p), join(ws, p), { recursive: true });
  const ok = await normreg(ws, ['verify', '--profile', 'full']);
  assert.is(ok.exitCode, 0, ok.stdout + ok.stderr);

  const findings = join(ws, 'docs', 'findings.md');
  const original = readFileSync(findings, 'utf8');
  const i = original.indexOf('<!-- normreg:fidelity:full:start -->');
  const j = original.indexOf('<!-- normreg:fidelity:full:end -->');
  const m = /[+−]\d\.\d\d/.exec(original.slice(i, j))!;
  const edited = original.slice(0, i + m.index) + (m[0].endsWith('9') ? m[0].slice(0, -1) + '8' : m[0].slice(0, -1) + '9') + original.slice(i + m.index + m[0].length);
  writeFileSync(findings, edited);
  const readme = join(ws, 'README.md');
  writeFileSync(readme, readFileSync(readme, 'utf8').replace('| BatchNorm | BatchNorm |', '| BatchNorm | LayerNorm |'));

  const stale = await normreg(ws, ['verify', '--profile', 'full']);
  assert.is(stale.exitCode, 1, stale.stdout + stale.stderr);
  assert.match(stale.stdout, 'FAIL    docs/findings.md: the full fidelity table is stale (run `npx normreg report --profile full`');
  assert.match(stale.stdout, 'FAIL    README.md: the full results table is stale');
  assert.match(stale.stdout, /verify full: 0 ok, 2 failed/);

  const rep = await normreg(ws, ['report', '--profile', 'full']);
  assert.is(rep.exitCode, 0, rep.stderr);
  assert.match(rep.stdout, 'docs: README.md, docs/findings.md updated');
  assert.is(readFileSync(findings, 'utf8'), original);
  assert.is((await normreg(ws, ['verify', '--profile', 'full'])).exitCode, 0);
});

test('a workspace with only specs/: reproduce, verify, report exit 0 and say which markers to add', async () => {
  const ws = mkdtempSync(join(tmpdir(), 'normreg-docs-'));
  mkdirSync(join(ws, 'specs'));
  writeFileSync(join(ws, 'specs', 'mine.json'), JSON.stringify(tinySpec('mine')));
  const hint = 'docs: not written: the smoke results table (no README.md or docs/*.md has its markers; add the two lines <!-- normreg:results:smoke:start --> and <!-- normreg:results:smoke:end -->';
  const rep = await normreg(ws, ['reproduce', '--profile', 'smoke']);
  noCrash(rep);
  assert.is(rep.exitCode, 0, rep.stdout + rep.stderr);
  assert.match(rep.stdout, hint);
  assert.ok(existsSync(join(ws, 'golden', 'smoke', 'wasm', 'mine.json')));
  assert.not.ok(existsSync(join(ws, 'README.md')), 'report created a README.md nobody asked for');
  const ver = await normreg(ws, ['verify', '--profile', 'smoke']);
  noCrash(ver);
  assert.is(ver.exitCode, 0, ver.stdout + ver.stderr);
  const report = await normreg(ws, ['report', '--profile', 'smoke']);
  noCrash(report);
  assert.is(report.exitCode, 0, report.stdout + report.stderr);
  assert.match(report.stdout, hint);

  // the markers it names work, in README.md or a docs page
  mkdirSync(join(ws, 'docs'));
  writeFileSync(join(ws, 'docs', 'results.md'), '# Mine\n\n<!-- normreg:results:smoke:start -->\n<!-- normreg:results:smoke:end -->\n');
  const again = await normreg(ws, ['report', '--profile', 'smoke']);
  assert.is(again.exitCode, 0, again.stderr);
  assert.match(again.stdout, 'docs: docs/results.md updated (1 smoke block(s) in all)');
  assert.not.match(again.stdout, 'not written');
  assert.match(readFileSync(join(ws, 'docs', 'results.md'), 'utf8'), '| MINE | BatchNorm |');
  assert.is((await normreg(ws, ['verify', '--profile', 'smoke'])).exitCode, 0);

  // a malformed marker: exit 2 naming file, line and fix; nothing written
  const readme = '# Mine\n\n<!-- normreg:result:smoke:start -->\n<!-- normreg:result:smoke:end -->\n';
  writeFileSync(join(ws, 'README.md'), readme);
  const before = readFileSync(join(ws, 'docs', 'results.md'), 'utf8');
  writeFileSync(join(ws, 'docs', 'results.md'), before.replace('| MINE |', '| OLD |'));
  const bad = await normreg(ws, ['report', '--profile', 'smoke']);
  noCrash(bad);
  assert.is(bad.exitCode, 2, bad.stdout + bad.stderr);
  assert.match(bad.stderr, "README.md: line 3: unknown generated block 'result:smoke' (fix: write <!-- normreg:KIND:PROFILE:start --> with KIND one of results");
  assert.match(bad.stderr, "did you mean 'results'?");
  assert.is(readFileSync(join(ws, 'README.md'), 'utf8'), readme);
  assert.match(readFileSync(join(ws, 'docs', 'results.md'), 'utf8'), '| OLD |');
});

test('report --backend tensorflow: a row takes only TensorFlow seeds, never the wasm goldens of other seeds', async () => {
  const ws = mkdtempSync(join(tmpdir(), 'normreg-docs-'));
  mkdirSync(join(ws, 'specs'));
  cpSync(join(ROOT, 'specs', 'batchnorm.json'), join(ws, 'specs', 'batchnorm.json'));
  mkdirSync(join(ws, 'golden', 'smoke', 'tensorflow'), { recursive: true });
  mkdirSync(join(ws, 'golden', 'smoke', 'wasm'), { recursive: true });
  cpSync(join(ROOT, 'golden/smoke/tensorflow/batchnorm.json'), join(ws, 'golden/smoke/tensorflow/batchnorm.json'));
  for (const s of [2, 3]) cpSync(join(ROOT, `golden/smoke/wasm/batchnorm.seed_${s}.json`), join(ws, `golden/smoke/wasm/batchnorm.seed_${s}.json`));
  const tf = await normreg(ws, ['report', '--profile', 'smoke', '--backend', 'tensorflow', '--json']);
  assert.is(tf.exitCode, 0, tf.stderr);
  const rows = JSON.parse(tf.stdout).rows;
  assert.is(rows.length, 1);
  assert.equal([rows[0].backend, rows[0].seeds], ['tensorflow', [1]]);
  const wasm = JSON.parse((await normreg(ws, ['report', '--profile', 'smoke', '--json'])).stdout).rows;
  assert.equal([wasm[0].backend, wasm[0].seeds], ['wasm', [2, 3]]);
});

test.run();
