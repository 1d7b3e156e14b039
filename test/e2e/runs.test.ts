/** Run cache, resume after kill -9 / Ctrl-C, locking, parallel workers, shards + merge: the real
 * CLI in child processes on temp workspaces, real training on the wasm backend. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { BIN, makeWorkspace, normreg, tinySpec } from '../helpers/workspace.js';

const SMOKE = ['--profile', 'smoke', '--backend', 'wasm'];
/** several epochs, so kills land between checkpoints */
const longer = (name: string, extra: Record<string, unknown> = {}) =>
  tinySpec(name, { profiles: { smoke: { dataset: { trainSize: 1280, testSize: 100 }, training: { epochs: 5 } } }, ...extra });

const bytes = (ws: string, name: string) => readFileSync(join(ws, 'results/smoke', name, 'result.json'));

test('cache: unchanged specs are skipped, a one-field change re-runs exactly that spec, a corrupt result is re-run', async () => {
  // b differs from a by its seed (else b would be a copy of a's training, see the test on copies below)
  const ws = makeWorkspace({ 'a.json': tinySpec('a'), 'b.json': tinySpec('b', { seed: 2 }) });
  const first = await normreg(ws, [...SMOKE, 'reproduce', '-j', '1']);
  assert.is(first.exitCode, 0, first.stdout + first.stderr);
  const a1 = bytes(ws, 'a');
  const again = await normreg(ws, [...SMOKE, 'reproduce']);
  assert.is(again.exitCode, 0, again.stderr);
  assert.match(again.stdout, 'cached  a: unchanged');
  assert.match(again.stdout, 'trained 0, cached 2, failed 0');
  assert.match(again.stdout, 'plan: nothing to train (every run is cached)');

  writeFileSync(join(ws, 'specs/b.json'), JSON.stringify(tinySpec('b', { seed: 2, training: { l1: 0.001 } })));
  const dry = await normreg(ws, [...SMOKE, 'reproduce', '--dry']);
  assert.is(dry.exitCode, 0, dry.stderr);
  assert.match(dry.stdout, 'cached  a: unchanged');
  assert.match(dry.stdout, 'train   b: spec changed: /training/l1');
  // the plan's duration from the facts.json of the two runs trained above
  assert.match(dry.stdout, /plan: 1 run\(s\) to train, about \d+ s with --jobs 1 \(speed from 2 earlier run\(s\)' facts\.json\)/);
  const bBefore = bytes(ws, 'b');
  const changed = await normreg(ws, [...SMOKE, 'reproduce', '-j', '1']);
  assert.match(changed.stdout, 'trained 1, cached 1, failed 0');
  assert.not.ok(bytes(ws, 'b').equals(bBefore), 'b was not re-trained');
  assert.ok(bytes(ws, 'a').equals(a1));

  writeFileSync(join(ws, 'results/smoke/a/result.json'), '{"format": 1, "name": "a"');
  const healed = await normreg(ws, [...SMOKE, 'reproduce', '--dry']);
  assert.match(healed.stdout, 'train   a: stored result corrupt: result.json is not JSON');
  await normreg(ws, [...SMOKE, 'reproduce', '-j', '1']);
  assert.ok(bytes(ws, 'a').equals(a1), 're-run of a corrupt result differs from the first run');

  const forced = await normreg(ws, [...SMOKE, 'reproduce', '--dry', '--force']);
  assert.match(forced.stdout, 'train   a: forced (--force)');
});

test('same training under two names trains once: the copy is byte-identical to training it; seedsAt adds seeds to one sweep run', async () => {
  const sweep = tinySpec('s', { matrix: { l1: { set: ['/training/l1'], values: [0, 0.001] } }, seedsAt: [{ at: { l1: 0.001 }, seeds: [1, 2] }] });
  const ws = makeWorkspace({ 'a.json': tinySpec('a'), 's.json': sweep });
  const dry = await normreg(ws, [...SMOKE, 'reproduce', '--dry']);
  assert.is(dry.exitCode, 0, dry.stdout + dry.stderr);
  assert.match(dry.stdout, 'copy    s.l1_0: no result; same training as a');
  assert.match(dry.stdout, /plan: 3 run\(s\) to train/);
  const first = await normreg(ws, [...SMOKE, 'reproduce', '-j', '2']);
  assert.is(first.exitCode, 0, first.stdout + first.stderr);
  assert.match(first.stdout, 'trained 3, copied 1, cached 0, failed 0');
  assert.match(first.stdout, 's.l1_0: copied from a (same training)');
  const facts = JSON.parse(readFileSync(join(ws, 'results/smoke/s.l1_0/facts.json'), 'utf8'));
  assert.is(facts.copiedFrom, 'a');
  assert.is(facts.name, 's.l1_0');
  assert.ok(existsSync(join(ws, 'results/smoke/s.l1_0.001.seed_2/result.json')));
  // the copy is what training s.l1_0 itself writes, byte for byte
  const alone = makeWorkspace({ 's.json': sweep });
  const trained = await normreg(alone, [...SMOKE, 'reproduce', '--only', 's.l1_0', '-j', '1']);
  assert.match(trained.stdout, 'trained 1, cached 0, failed 0');
  assert.ok(bytes(alone, 's.l1_0').equals(bytes(ws, 's.l1_0')), 'the copied result differs from a training of the run');
  assert.not.ok(bytes(ws, 'a').equals(bytes(ws, 's.l1_0')), 'name and title must be the copy\'s own');
  // the copy is a stored result like any other; selecting it alone copies again from the stored source
  const again = await normreg(ws, [...SMOKE, 'reproduce']);
  assert.match(again.stdout, 'trained 0, cached 4, failed 0');
  rmSync(join(ws, 'results/smoke/s.l1_0'), { recursive: true });
  const only = await normreg(ws, [...SMOKE, 'reproduce', '--only', 's']);
  assert.match(only.stdout, 'trained 0, copied 1, cached 2, failed 0');
  assert.ok(bytes(alone, 's.l1_0').equals(bytes(ws, 's.l1_0')));
});

async function waitFor(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return false;
}

test('kill -9 at random points, then reproduce: payload byte-identical to an uninterrupted run', async () => {
  const ref = makeWorkspace({ 'k.json': longer('k') });
  assert.is((await normreg(ref, [...SMOKE, 'reproduce'])).exitCode, 0);
  const ws = makeWorkspace({ 'k.json': longer('k') });
  const ckpt = join(ws, 'results/smoke/k/checkpoint.json');
  let resumed = 0;
  for (let kill = 0; kill < 3; kill++) {
    const child = execa('node', [BIN, 'reproduce', ...SMOKE], { cwd: ws, reject: false, env: { CI: '' } });
    // wait for a checkpoint of this attempt (or the end), then a random extra delay within an epoch
    const before = existsSync(ckpt) ? readFileSync(ckpt, 'utf8') : '';
    await waitFor(() => child.exitCode !== null || (existsSync(ckpt) && readFileSync(ckpt, 'utf8') !== before), 60000);
    await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 300)));
    child.kill('SIGKILL');
    const r = await child;
    if (String(r.stdout).includes('resuming from the checkpoint')) resumed++;
    if (r.exitCode === 0) break;
  }
  const last = await normreg(ws, [...SMOKE, 'reproduce']);
  assert.is(last.exitCode, 0, last.stdout + last.stderr);
  if (String(last.stdout).includes('resuming from the checkpoint')) resumed++;
  assert.ok(resumed >= 1, 'no attempt resumed from a checkpoint');
  assert.ok(bytes(ws, 'k').equals(bytes(ref, 'k')), 'resumed payload differs from the uninterrupted one');
  assert.not.ok(existsSync(ckpt), 'checkpoint left behind after success');
  assert.not.ok(existsSync(join(ws, 'results/.lock')), 'lock left behind');
});

test('Ctrl-C stops cleanly at a step (exit 130, lock released), the next run resumes to the same bytes', async () => {
  const ref = makeWorkspace({ 'k.json': longer('k') });
  assert.is((await normreg(ref, [...SMOKE, 'reproduce'])).exitCode, 0);
  const ws = makeWorkspace({ 'k.json': longer('k') });
  const child = execa('node', [BIN, 'reproduce', ...SMOKE], { cwd: ws, reject: false, env: { CI: '' } });
  await waitFor(() => existsSync(join(ws, 'results/smoke/k/checkpoint.json')), 60000);
  child.kill('SIGINT');
  const r = await child;
  assert.is(r.exitCode, 130, r.stdout + r.stderr);
  assert.match(r.stdout, 'interrupted: k not finished');
  assert.not.ok(existsSync(join(ws, 'results/.lock')));
  const next = await normreg(ws, [...SMOKE, 'reproduce']);
  assert.is(next.exitCode, 0, next.stderr);
  assert.match(next.stdout, 'resume  k: no result; resuming from the checkpoint after epoch');
  assert.ok(bytes(ws, 'k').equals(bytes(ref, 'k')));
});

test('two concurrent reproduce commands: the second waits, nothing is lost; --no-wait refuses; a dead owner\'s lock is taken over', async () => {
  // 'a' trains for several seconds, so the first command still holds the lock when the others start
  const ws = makeWorkspace({ 'a.json': tinySpec('a', { profiles: { smoke: { dataset: { trainSize: 2560, testSize: 100 }, training: { epochs: 5 } } } }), 'b.json': tinySpec('b') });
  mkdirSync(join(ws, 'results'), { recursive: true });
  writeFileSync(join(ws, 'results/.lock'), JSON.stringify({ pid: 2 ** 22 + 12345, host: hostname(), command: 'reproduce', startedAt: 'earlier' }));
  const stale = await normreg(ws, [...SMOKE, 'reproduce', '--dry']);
  assert.is(stale.exitCode, 0);
  const first = await normreg(ws, [...SMOKE, 'reproduce', '--only', 'b']);
  assert.match(first.stdout, 'took over a stale lock of pid');
  const one = execa('node', [BIN, 'reproduce', ...SMOKE, '-j', '1'], { cwd: ws, reject: false, env: { CI: '' } });
  await waitFor(() => existsSync(join(ws, 'results/.lock')), 30000);
  const two = execa('node', [BIN, 'reproduce', ...SMOKE, '-j', '1'], { cwd: ws, reject: false, env: { CI: '' } });
  const refused = await normreg(ws, [...SMOKE, 'reproduce', '--no-wait']);
  assert.is(refused.exitCode, 2);
  assert.match(refused.stderr, 'results/.lock: the workspace is locked by normreg reproduce (pid');
  const [r1, r2] = await Promise.all([one, two]);
  assert.is(r1.exitCode, 0, r1.stdout + r1.stderr);
  assert.is(r2.exitCode, 0, r2.stdout + r2.stderr);
  assert.match(r2.stdout, 'waiting: the workspace is locked by normreg reproduce');
  assert.match(r2.stdout, 'trained 0, cached 2, failed 0');
  for (const n of ['a', 'b']) assert.ok(JSON.parse(bytes(ws, n).toString()).name === n);
  assert.is((await normreg(ws, ['verify', '--profile', 'smoke'], { CI: 'true' })).exitCode, 0);
});

test('parallel workers: a worker that dies (SIGKILL, as from the OOM killer) is reported, the other runs finish and are verified', async () => {
  const victim = `victim${process.pid}`;
  const ws = makeWorkspace({ 'a.json': tinySpec('a'), [`${victim}.json`]: longer(victim) });
  const run = execa('node', [BIN, 'reproduce', ...SMOKE, '-j', '2'], { cwd: ws, reject: false, env: { CI: '' } });
  await waitFor(() => existsSync(join(ws, `results/smoke/${victim}/checkpoint.json`)), 60000);
  const pids = (await execa('pgrep', ['-f', `normreg.js worker --profile smoke --backend wasm --threads 1 --only ${victim}`], { reject: false })).stdout.trim().split('\n').filter(Boolean);
  assert.is(pids.length, 1, 'worker process not found');
  process.kill(Number(pids[0]), 'SIGKILL');
  const r = await run;
  assert.is(r.exitCode, 2, r.stdout + r.stderr);
  assert.match(r.stdout, `FAILED  ${victim}: worker killed by SIGKILL`);
  assert.match(r.stdout, 'trained 1, cached 0, failed 1');
  assert.match(r.stdout, 'written a: new golden');
  // the next reproduce resumes the killed run from its checkpoint
  const again = await normreg(ws, [...SMOKE, 'reproduce']);
  assert.is(again.exitCode, 0, again.stdout + again.stderr);
  assert.match(again.stdout, `resume  ${victim}: no result; resuming from the checkpoint after epoch`);
});

test('--jobs 2 equals --jobs 1 byte for byte; --shard 1/2 + 2/2 + merge equals the unsharded run', async () => {
  const specs = () => ({ 'a.json': tinySpec('a'), 'b.json': tinySpec('b', { model: { norm: 'layer' } }), 'c.json': tinySpec('c', { model: { norm: 'group' } }) });
  const serial = makeWorkspace(specs());
  const s = await normreg(serial, [...SMOKE, 'reproduce', '-j', '1']);
  assert.is(s.exitCode, 0, s.stdout + s.stderr);
  const parallel = makeWorkspace(specs());
  const p = await normreg(parallel, [...SMOKE, 'reproduce', '-j', '2']);
  assert.is(p.exitCode, 0, p.stdout + p.stderr);
  assert.match(p.stdout, 'jobs 2');
  for (const n of ['a', 'b', 'c']) assert.ok(bytes(parallel, n).equals(bytes(serial, n)), `jobs 2: ${n} differs`);
  assert.is(readFileSync(join(parallel, 'README.md'), 'utf8'), readFileSync(join(serial, 'README.md'), 'utf8'));

  // two kernel threads per run (in process, and in workers): the same bytes again
  const threaded = makeWorkspace(specs());
  const t = await normreg(threaded, [...SMOKE, 'reproduce', '-j', '1', '--threads', '2']);
  assert.is(t.exitCode, 0, t.stdout + t.stderr);
  assert.match(t.stdout, 'jobs 1, threads 2');
  const pooled = makeWorkspace(specs());
  const tp = await normreg(pooled, [...SMOKE, 'reproduce', '-j', '2', '--threads', '2']);
  assert.is(tp.exitCode, 0, tp.stdout + tp.stderr);
  for (const n of ['a', 'b', 'c']) {
    assert.ok(bytes(threaded, n).equals(bytes(serial, n)), `threads 2: ${n} differs`);
    assert.ok(bytes(pooled, n).equals(bytes(serial, n)), `jobs 2 x threads 2: ${n} differs`);
    for (const ws of [threaded, pooled]) {
      const facts = JSON.parse(readFileSync(join(ws, 'results/smoke', n, 'facts.json'), 'utf8')) as { threads: number };
      assert.is(facts.threads, 2, `${n}: facts.json records the thread count`);
    }
  }

  const sh1 = makeWorkspace(specs());
  const sh2 = makeWorkspace(specs());
  const r1 = await normreg(sh1, [...SMOKE, 'reproduce', '--shard', '1/2', '--update', 'none']);
  const r2 = await normreg(sh2, [...SMOKE, 'reproduce', '--shard', '2/2', '--update', 'none']);
  assert.match(r1.stdout, '2 experiment(s) (shard 1/2 of 3)');
  assert.match(r2.stdout, '1 experiment(s) (shard 2/2 of 3)');
  const merged = makeWorkspace(specs());
  cpSync(join(serial, 'golden'), join(merged, 'golden'), { recursive: true });
  // a merge of one shard only is refused, naming the missing shard
  const partial = await normreg(merged, ['merge', '--profile', 'smoke', join(sh1, 'results')]);
  assert.is(partial.exitCode, 2);
  assert.match(partial.stderr, 'shard 2/2 is missing');
  const m = await normreg(merged, ['merge', '--profile', 'smoke', join(sh1, 'results'), join(sh2, 'results/smoke')]);
  assert.is(m.exitCode, 0, m.stdout + m.stderr);
  assert.match(m.stdout, 'merge smoke: 2 shard(s), 3 run(s)');
  for (const n of ['a', 'b', 'c']) assert.ok(bytes(merged, n).equals(bytes(serial, n)), `merged ${n} differs`);
  assert.is(readFileSync(join(merged, 'README.md'), 'utf8'), readFileSync(join(serial, 'README.md'), 'utf8'));
  assert.equal(readdirSync(join(merged, 'results/smoke')).sort(), ['a', 'b', 'c']);
});

test('shards of a selection (--only, --seeds) merge with the selection their manifests carry; mismatches are refused by name', async () => {
  const specs = () => ({ 'a.json': tinySpec('a'), 'b.json': tinySpec('b', { model: { norm: 'layer' } }), 'c.json': tinySpec('c') });
  const sel = ['--only', 'a,b', '--seeds', '1,2'];
  const sh1 = makeWorkspace(specs());
  const sh2 = makeWorkspace(specs());
  const r1 = await normreg(sh1, [...SMOKE, 'reproduce', ...sel, '--shard', '1/2', '-j', '1']);
  const r2 = await normreg(sh2, [...SMOKE, 'reproduce', ...sel, '--shard', '2/2', '-j', '1']);
  assert.is(r1.exitCode, 0, r1.stdout + r1.stderr);
  assert.is(r2.exitCode, 0, r2.stdout + r2.stderr);
  assert.match(r1.stdout, '2 experiment(s) (shard 1/2 of 4)');
  const manifest = JSON.parse(readFileSync(join(sh1, 'results/smoke/shards/shard-1-of-2.json'), 'utf8'));
  assert.equal(manifest.selection, { only: ['a', 'b'], seeds: [1, 2] });

  const merged = makeWorkspace(specs());
  const wrong = await normreg(merged, ['merge', '--profile', 'smoke', '--only', 'a', join(sh1, 'results'), join(sh2, 'results')]);
  assert.is(wrong.exitCode, 2, wrong.stdout + wrong.stderr);
  assert.match(wrong.stderr, 'merge was given --only a, but the shards were made with --only a,b --seeds 1,2');
  const m = await normreg(merged, ['merge', '--profile', 'smoke', join(sh1, 'results'), join(sh2, 'results')]);
  assert.is(m.exitCode, 0, m.stdout + m.stderr);
  assert.match(m.stdout, 'merge smoke: 2 shard(s), 4 run(s) of --only a,b --seeds 1,2');
  assert.equal(readdirSync(join(merged, 'results/smoke')).sort(), ['a', 'a.seed_2', 'b', 'b.seed_2']);
  for (const n of ['a', 'a.seed_2']) assert.ok(bytes(merged, n).equals(bytes(existsSync(join(sh1, 'results/smoke', n)) ? sh1 : sh2, n)), `merged ${n} differs`);
  const same = await normreg(merged, ['merge', '--profile', 'smoke', ...sel, join(sh1, 'results'), join(sh2, 'results')]);
  assert.is(same.exitCode, 0, same.stdout + same.stderr);

  // a shard of another selection: refused, naming both selections (no plan-fingerprint confusion)
  const other = makeWorkspace(specs());
  mkdirSync(join(other, 'results/smoke/shards'), { recursive: true });
  writeFileSync(join(other, 'results/smoke/shards/shard-2-of-2.json'), JSON.stringify({ ...manifest, shard: { index: 2, total: 2 }, selection: { only: ['a', 'c'], seeds: null } }));
  const mixed = await normreg(makeWorkspace(specs()), ['merge', '--profile', 'smoke', join(sh1, 'results'), join(other, 'results')]);
  assert.is(mixed.exitCode, 2, mixed.stdout + mixed.stderr);
  assert.match(mixed.stderr, 'shard 2/2 was made with --only a,c, shard 1/2');
  assert.match(mixed.stderr, 'with --only a,b --seeds 1,2 (fix: merge the shards of one sharded run');
});

test('shards on another backend (tfjs cpu) merge into results/smoke.cpu/ and its goldens; shards of two backends are refused', async () => {
  const specs = () => ({ 'a.json': tinySpec('a'), 'b.json': tinySpec('b', { model: { norm: 'layer' } }) });
  const CPU = ['--profile', 'smoke', '--backend', 'cpu'];
  const ws = makeWorkspace(specs());
  for (const sh of ['1/2', '2/2']) {
    const r = await normreg(ws, [...CPU, 'reproduce', '--shard', sh, '-j', '1']);
    assert.is(r.exitCode, 0, r.stdout + r.stderr);
  }
  assert.ok(existsSync(join(ws, 'results/smoke.cpu/shards/shard-2-of-2.json')));
  assert.not.ok(existsSync(join(ws, 'results/smoke')), 'a cpu shard must not write the reference engine\'s folder');
  const m = await normreg(ws, ['merge', '--profile', 'smoke']);
  assert.is(m.exitCode, 0, m.stdout + m.stderr);
  assert.match(m.stdout, 'merge smoke: 2 shard(s), 2 run(s)');
  for (const n of ['a', 'b']) assert.ok(existsSync(join(ws, 'golden/smoke/cpu', `${n}.json`)), n);
  assert.is((await normreg(ws, [...CPU, 'verify'], { CI: 'true' })).exitCode, 0);
  // the merged results equal an unsharded run on the same backend
  const whole = makeWorkspace(specs());
  assert.is((await normreg(whole, [...CPU, 'reproduce', '-j', '1'])).exitCode, 0);
  for (const n of ['a', 'b']) assert.ok(readFileSync(join(ws, 'results/smoke.cpu', n, 'result.json')).equals(readFileSync(join(whole, 'results/smoke.cpu', n, 'result.json'))), n);
  // a wasm shard beside them: which backend's results would the merge hold? refused
  assert.is((await normreg(ws, [...SMOKE, 'reproduce', '--shard', '1/2', '-j', '1'])).exitCode, 0);
  const mixed = await normreg(ws, ['merge', '--profile', 'smoke']);
  assert.is(mixed.exitCode, 2, mixed.stdout + mixed.stderr);
  assert.match(mixed.stderr, /shards ran on different backends \((wasm, cpu|cpu, wasm)\)/);
  const named = await normreg(ws, ['merge', '--profile', 'smoke', '--backend', 'wasm', join(ws, 'results/smoke.cpu')]);
  assert.match(named.stderr, 'the shards ran on cpu, not on --backend wasm');
});

test.run();
