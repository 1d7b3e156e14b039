import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crossFilePath, crossFileStale, crossTolerances, renderCrossFile } from '../../src/verify/crossFile.js';
import { compareCross } from '../../src/verify/crossBackend.js';
import { makeWorkspace, normreg, tinySpec } from '../helpers/workspace.js';

const root = { root: process.cwd() };

for (const profile of ['smoke', 'full'])
  test(`golden/${profile}/cross-backend.json is what the committed reference goldens give`, () => {
    assert.ok(existsSync(crossFilePath(root, profile)));
    assert.not.ok(crossFileStale(root, profile));
  });

test('every committed non-reference golden lies within the cross-backend band of its reference golden (the measured spread between backends)', () => {
  let checked = 0;
  for (const profile of ['smoke', 'full']) {
    const t = crossTolerances(root, profile);
    const dir = join('golden', profile);
    for (const backend of readdirSync(dir).filter((b) => b !== 'wasm' && !b.endsWith('.json')))
      for (const f of readdirSync(join(dir, backend))) {
        const own = JSON.parse(readFileSync(join(dir, backend, f), 'utf8'));
        const ref = JSON.parse(readFileSync(join(dir, 'wasm', f), 'utf8'));
        assert.equal(compareCross(own, ref, t), [], `${profile}/${backend}/${f}`);
        checked++;
      }
  }
  assert.ok(checked >= 8, `${checked} non-reference goldens`);
});

test('a workspace without reference goldens, or with one seed per experiment, has no cross-backend file to write or check', () => {
  const ws = makeWorkspace({ 'a.json': tinySpec('a') });
  assert.is(renderCrossFile({ root: ws }, 'smoke'), null);
  assert.not.ok(crossFileStale({ root: ws }, 'smoke'));
  // the Fashion-MNIST example: committed goldens, one seed each, so no spread to measure
  const example = { root: join(process.cwd(), 'examples/fashion-mnist') };
  assert.ok(readdirSync(join(example.root, 'golden/smoke/wasm')).length >= 3);
  assert.is(renderCrossFile(example, 'smoke'), null);
  assert.not.ok(crossFileStale(example, 'smoke'));
});

test('e2e: a backend without its own golden is verified against the wasm golden; outside the band it fails, naming the metric, the reference and the band; a stale bands file fails verify', async () => {
  const ws = makeWorkspace({ 'bn.json': tinySpec('bn', { profiles: { smoke: { seeds: [1, 2, 3], dataset: { trainSize: 192, testSize: 100 }, training: { epochs: 1 } } } }) });
  const ref = await normreg(ws, ['reproduce', '--profile', 'smoke', '--jobs', '1']);
  assert.is(ref.exitCode, 0, ref.stdout + ref.stderr);
  assert.ok(existsSync(join(ws, 'golden/smoke/cross-backend.json')), 'report writes the bands');
  // the tfjs cpu backend has no golden here: CI=true compares it with the reference
  const CI = { CI: 'true' };
  const cpu = await normreg(ws, ['reproduce', '--profile', 'smoke', '--backend', 'cpu', '--seeds', '2', '--jobs', '1'], CI);
  assert.is(cpu.exitCode, 0, cpu.stdout + cpu.stderr);
  assert.match(cpu.stdout, 'ok      bn.seed_2 (cpu): within cross-backend tolerance of golden/smoke/wasm/bn.seed_2.json');
  assert.not.ok(existsSync(join(ws, 'golden/smoke/cpu')), 'no golden written for a non-reference backend');
  // outside CI too, a plain reproduce compares rather than writing a golden of its own
  const local = await normreg(ws, ['verify', '--profile', 'smoke', '--backend', 'cpu', '--seeds', '2']);
  assert.is(local.exitCode, 0, local.stdout);
  assert.not.ok(existsSync(join(ws, 'golden/smoke/cpu')));
  const file = join(ws, 'results/smoke.cpu/bn.seed_2/result.json');
  const r = JSON.parse(readFileSync(file, 'utf8'));
  const bands = JSON.parse(readFileSync(join(ws, 'golden/smoke/cross-backend.json'), 'utf8'));
  const band = bands.metrics.bestTrainAcc.experiments.bn;
  const refAcc = JSON.parse(readFileSync(join(ws, 'golden/smoke/wasm/bn.seed_2.json'), 'utf8')).best.bestTrainAcc;
  // the best train accuracy is the best epoch's: move both, beyond the band
  const pushed = Number((refAcc + band + 1 <= 100 ? refAcc + band + 1 : refAcc - band - 1).toPrecision(9));
  r.best.bestTrainAcc = pushed;
  for (const e of r.epochs) e.trainAcc = pushed;
  writeFileSync(file, JSON.stringify(r));
  const bad = await normreg(ws, ['verify', '--profile', 'smoke', '--backend', 'cpu', '--seeds', '2'], CI);
  assert.is(bad.exitCode, 1, bad.stdout + bad.stderr);
  assert.match(bad.stdout, 'FAIL    bn.seed_2 (cpu): 1 difference(s) beyond cross-backend tolerance of golden/smoke/wasm/bn.seed_2.json');
  assert.match(bad.stdout, `/best/bestTrainAcc: got ${pushed}, reference ${refAcc} (outside the cross-backend band [`);
  // asked for explicitly, a golden of its own is written, and then takes precedence
  const own = await normreg(ws, ['verify', '--profile', 'smoke', '--backend', 'cpu', '--seeds', '2', '--update', 'new']);
  assert.is(own.exitCode, 0, own.stdout);
  assert.match(own.stdout, 'written bn.seed_2: new golden golden/smoke/cpu/bn.seed_2.json');
  const again = await normreg(ws, ['verify', '--profile', 'smoke', '--backend', 'cpu', '--seeds', '2'], CI);
  assert.match(again.stdout + again.stderr, 'ok      bn.seed_2: matches golden/smoke/cpu/bn.seed_2.json');
  // a stale bands file fails verify; report rewrites it
  const f = join(ws, 'golden/smoke/cross-backend.json');
  writeFileSync(f, readFileSync(f, 'utf8').replace('"k": 3', '"k": 5'));
  const v = await normreg(ws, ['verify', '--profile', 'smoke'], CI);
  assert.is(v.exitCode, 1, v.stdout);
  assert.match(v.stdout, 'FAIL    golden/smoke/cross-backend.json (the cross-backend bands) is stale');
  assert.is((await normreg(ws, ['report', '--profile', 'smoke'])).exitCode, 0);
  assert.is((await normreg(ws, ['verify', '--profile', 'smoke'], CI)).exitCode, 0);
});

test.run();
