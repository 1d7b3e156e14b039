/** End-to-end: the real CLI over wrong invocations (every one: exit 2, no stack trace, a message naming
 * the flag, command or file), and what a first contact meets: help, --version, names as --only, a
 * fresh workspace reached with -C, verify saying what it compared. Items of issue 20, "Why" 4 and 5. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { makeWorkspace, normreg, tinySpec } from '../helpers/workspace.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const STACK = /^\s+at /m;

/** a workspace holding a copy of the study's specs (planning only: nothing here trains) */
function studyWorkspace(): string {
  const ws = mkdtempSync(join(tmpdir(), 'normreg-usage-'));
  cpSync(join(REPO, 'specs'), join(ws, 'specs'), { recursive: true });
  return ws;
}

const WRONG: [string[], string | RegExp][] = [
  // issue 20, Why 4: arguments silently ignored
  [['validate', '--jobs', '3', '--force'], 'validate does not take --jobs (fix: it takes --profile, --only, --seeds, --specs'],
  [['reproduce', '--only', '', '--dry'], "--only needs at least one name (got '')"],
  [['reproduce', '--only', ' , ', '--dry'], "--only needs at least one name (got ' , ')"],
  [['verify', '--seeds', '0'], /verify --seeds 0: none of the \d+ selected run\(s\) has a result or a golden, so there is nothing to compare/],
  [['reproduce', 'specs/nope.json', '--dry'], 'specs/nope.json: no such spec file'],
  [['reproduce', 'nope', '--dry'], "--only: no experiment named 'nope'"],
  [['reproduce', 'batchnrom', '--dry'], "no experiment named 'batchnrom' (fix: did you mean 'batchnorm'?"],
  [['verify', 'batchnorm', '--seeds', '7'], 'verify --only batchnorm --seeds 7: none of the 1 selected run(s)'],
  [['list', 'extra', 'args'], "--only: no experiment named 'extra', 'args'"],
  [['bench', 'extra'], "bench takes no arguments (got 'extra')"],
  [['bench', '--step', 'fast'], "--step must be one of compiled, ops (got 'fast')"],
  [['bench', '--engines', 'wasm,wasm-opps'], "--engines: unknown 'wasm-opps' (fix: use tensorflow-gpu,tensorflow,webgpu,wasm,cpu,wasm-ops)"],
  [['setup', 'nothing'], "setup: unknown target 'nothing'"],
  // issue 20, Why 5: help and hints
  [['reproduse'], "unknown command 'reproduse' (fix: did you mean 'reproduce'?"],
  [['help', 'verfy'], "help: unknown command 'verfy' (fix: did you mean 'verify'?"],
  [['reproduce', '--bogus'], "reproduce: unknown option '--bogus' (fix: normreg reproduce --help lists what it takes)"],
  [['reproduce', '--forse'], "reproduce: unknown option '--forse' (fix: did you mean '--force'?"],
  [['verify', '--dry'], 'verify does not take --dry'],
  [['report', '--jobs', '2'], 'report does not take --jobs'],
  [['merge', '--force'], 'merge does not take --force'],
  [['list', '--only'], 'list: --only needs a value (fix: write --only NAME,...)'],
  [['reproduce', '--only', '--dry'], "reproduce: --only needs a value, but the next argument is '--dry'"],
  [['reproduce', '--dry=yes'], "reproduce: --dry takes no value (got '--dry=yes')"],
  [['reproduce', '--only', 'a', '--only', 'b', '--dry'], 'reproduce: --only is given twice'],
  [['-C', '/no/such/folder', 'list'], '-C /no/such/folder: no such folder'],
  [['reproduce', '--specs', '/no/where/specs', '--dry'], '--specs /no/where/specs: a spec folder outside this workspace'],
  // flag values
  [['list', '--profile', 'huge'], "--profile must be one of full, smoke, tiny (got 'huge')"],
  [['reproduce', '--seeds', 'x', '--dry'], "--seeds must be a list or range of seeds like 1,2,3 or 1-5 (got 'x')"],
  [['reproduce', '--shard', '3/2', '--dry'], "--shard must be INDEX/TOTAL with 1 <= INDEX <= TOTAL (got '3/2')"],
  [['verify', '--update', 'some'], "--update must be one of none, new, all (got 'some')"],
  [['reproduce', '--jobs', '0', '--dry', '--profile', 'smoke'], "--jobs must be a positive integer or 'auto' (got '0')"],
];

test('wrong invocations: exit 2, no stack trace, a message naming the flag, command or file', async () => {
  const ws = studyWorkspace();
  for (const [args, text] of WRONG) {
    const r = await normreg(ws, args);
    const what = `normreg ${args.join(' ')}\n${r.stdout}${r.stderr}`;
    assert.is(r.exitCode, 2, what);
    assert.not.match(r.stderr, STACK, what);
    assert.not.match(r.stderr, 'internal error', what);
    assert.not.match(r.stderr, 'To specify a positional argument', what); // Node's raw parser text
    assert.match(r.stderr, text, what);
  }
  assert.not.ok(existsSync(join(ws, 'results')), 'a refused command wrote results/');
  assert.not.ok(existsSync(join(ws, 'golden')), 'a refused command wrote golden/');
});

test('spec hints: l2 -> weightDecay, a typo under /model/ lists the model keys, "an integer"', async () => {
  const ws = makeWorkspace({ 'a.json': tinySpec('a', { model: { norm: 'batch', dropuot: 0.1, xyzzy: 1 }, training: { l2: 0.001, epochs: '3' } }) });
  const r = await normreg(ws, ['validate']);
  assert.is(r.exitCode, 2);
  assert.not.match(r.stderr, STACK);
  assert.match(r.stderr, "specs/a.json /training/l2: unknown key 'l2' (fix: did you mean 'weightDecay'?)");
  assert.match(r.stderr, "specs/a.json /model/dropuot: unknown key 'dropuot' (fix: did you mean 'dropout'?)");
  assert.match(r.stderr, "specs/a.json /model/xyzzy: unknown key 'xyzzy' (fix: remove it; allowed keys here: norm, groups, firstBlockGroups, dropout, layers)");
  assert.match(r.stderr, 'specs/a.json /training/epochs: must be an integer (got "3") (fix: write an integer here)');
});

test('validate warns about a copied spec (title, reference, the table tag) and still passes', async () => {
  const ws = studyWorkspace();
  const copy = JSON.parse(readFileSync(join(ws, 'specs/batchnorm.json'), 'utf8'));
  writeFileSync(join(ws, 'specs/mine.json'), JSON.stringify({ ...copy, name: 'mine' }));
  const r = await normreg(ws, ['validate', 'specs/mine.json']);
  assert.is(r.exitCode, 0, r.stderr);
  assert.match(r.stderr, "warning: specs/mine.json /title: the same title as specs/batchnorm.json ('BatchNorm')");
  assert.match(r.stderr, 'warning: specs/mine.json /reference: the same reference numbers as specs/batchnorm.json');
  assert.match(r.stderr, "warning: specs/mine.json /tags: copies the tag(s) 'table' of specs/batchnorm.json");
  const clean = await normreg(studyWorkspace(), ['validate']);
  assert.is(clean.exitCode, 0);
  assert.not.match(clean.stderr, 'warning');
});

test("help: the global help, each command's own, help COMMAND, --version", async () => {
  const ws = studyWorkspace();
  const global = await normreg(ws, ['--help']);
  assert.is(global.exitCode, 0);
  assert.match(global.stdout, 'Usage: normreg <command> [options]');
  const own = await normreg(ws, ['verify', '--help']);
  assert.is(own.exitCode, 0);
  assert.match(own.stdout, 'Usage: normreg verify [NAME...] [options]');
  assert.not.match(own.stdout, '--jobs');
  assert.is((await normreg(ws, ['help', 'verify'])).stdout, own.stdout);
  assert.match((await normreg(ws, ['reproduce', '-h'])).stdout, '--dry');
  const version = await normreg(ws, ['--version']);
  assert.is(version.stdout, `normreg ${JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).version}`);
  const none = await normreg(ws, []);
  assert.is(none.exitCode, 2);
  assert.match(none.stderr, 'Usage: normreg <command>');
});

test('names as --only: reproduce batchnorm and reproduce specs/batchnorm.json plan batchnorm alone', async () => {
  const ws = studyWorkspace();
  for (const name of ['batchnorm', 'specs/batchnorm.json']) {
    const r = await normreg(ws, ['reproduce', name, '--profile', 'smoke', '--dry']);
    assert.is(r.exitCode, 0, r.stderr);
    const planned = r.stdout.split('\n').filter((l) => /^(train|cached|copy|resume) /.test(l));
    assert.ok(planned.length > 0, r.stdout);
    for (const l of planned) assert.match(l, /^\w+ +batchnorm(\.seed_\d+)?: /, l);
    assert.match(r.stdout, `normreg reproduce: ${planned.length} experiment(s)`);
  }
  const one = await normreg(ws, ['reproduce', 'batchnorm', '--seeds', '1', '--profile', 'smoke', '--dry']);
  assert.match(one.stdout, 'normreg reproduce: 1 experiment(s)');
});

test("verify on the repository's committed goldens says what it compared, in its last line", async () => {
  const r = await normreg(REPO, ['verify', '--profile', 'full'], { CI: 'true' });
  assert.is(r.exitCode, 0, r.stdout + r.stderr);
  const last = r.stdout.trimEnd().split('\n').pop()!;
  assert.match(last, /^verify full: compared \d+ results?\b.*; the committed goldens and README\/docs agree$/);
});

test('a fresh workspace with only specs/, from the repository root with -C: validate, reproduce, verify, report; pending', async () => {
  const ws = mkdtempSync(join(tmpdir(), 'normreg-fresh-'));
  mkdirSync(join(ws, 'specs'));
  writeFileSync(join(ws, 'specs/mine.json'), JSON.stringify(tinySpec('mine')));
  for (const cmd of [['validate'], ['reproduce', '--profile', 'smoke', '--backend', 'wasm'], ['verify', '--profile', 'smoke'], ['report', '--profile', 'smoke']]) {
    const r = await normreg(REPO, ['-C', ws, ...cmd]);
    assert.is(r.exitCode, 0, `${cmd.join(' ')}\n${r.stdout}${r.stderr}`);
    assert.not.match(r.stderr, STACK);
  }
  assert.ok(existsSync(join(ws, 'golden/smoke/wasm/mine.json')));
  assert.not.ok(existsSync(join(REPO, 'golden/smoke/wasm/mine.json')), '-C wrote into the repository');
  const v = await normreg(REPO, ['-C', ws, 'verify', '--profile', 'smoke']);
  assert.match(v.stdout.trimEnd().split('\n').pop()!, 'verify smoke: compared 1 result with its golden: all match');
  // --only pending when every run has a golden: said so, not "every run is cached"
  const pending = await normreg(REPO, ['-C', ws, 'reproduce', '--profile', 'smoke', '--only', 'pending']);
  assert.is(pending.exitCode, 0, pending.stderr);
  assert.match(pending.stdout, 'every run of the smoke profile has a golden (--only pending selects none): nothing to train');
  assert.not.match(pending.stdout, 'cached');
  const vp = await normreg(REPO, ['-C', ws, 'verify', '--profile', 'smoke', '--only', 'pending']);
  assert.is(vp.exitCode, 2);
  assert.match(vp.stderr, '--only pending: every run of the smoke profile has a golden, so nothing is selected');
  // --specs naming that folder from the repository root points at -C
  const specs = await normreg(REPO, ['validate', '--specs', join(ws, 'specs')]);
  assert.is(specs.exitCode, 2);
  assert.match(specs.stderr, `(fix: run in the workspace that holds it: normreg -C ${ws} <command>)`);
});

test.run();
