/** The tensorflow backend end to end, on TensorFlow's binding as `normreg setup tensorflow` left it.
 * Without the setup these tests are skipped locally and FAIL under CI=true (CI runs the setup first). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { makeWorkspace, normreg, tinySpec } from '../helpers/workspace.js';

const PROBE = new URL('../../dist/setup/probeChild.js', import.meta.url).pathname;
const probe = await execa('node', [PROBE, 'cpu'], { reject: false });
const ready = probe.exitCode === 0;
const spec = () => tinySpec('det', { training: { l1: 0.001 }, profiles: { smoke: { dataset: { trainSize: 640, testSize: 200 }, training: { epochs: 1 } } } });
const read = (ws: string, f: string) => readFileSync(join(ws, 'results', 'smoke.tensorflow', 'det', f));

if (!ready && process.env.CI === 'true') {
  test('TensorFlow is set up (required under CI=true)', () => {
    assert.unreachable(`the tensorflow binding does not load: ${probe.stderr.trim().split('\n').pop()} (fix: run \`npx normreg setup tensorflow\` before the tests)`);
  });
} else if (!ready) {
  test.skip('tensorflow backend (not set up here: run `npx normreg setup tensorflow`)', () => {});
} else {
  test('same spec, seed, backend and threads in two processes: byte-identical result.json; facts record TensorFlow', async () => {
    const a = makeWorkspace({ 'det.json': spec() });
    const b = makeWorkspace({ 'det.json': spec() });
    for (const ws of [a, b]) {
      const r = await normreg(ws, ['reproduce', '--profile', 'smoke', '--backend', 'tensorflow', '--threads', '2', '--update', 'new']);
      assert.is(r.exitCode, 0, r.stdout + r.stderr);
      assert.match(r.stdout, '2 intra-op / 1 inter-op thread(s) per run');
    }
    assert.ok(read(a, 'result.json').equals(read(b, 'result.json')), 'result.json differs between two processes');
    const facts = JSON.parse(read(a, 'facts.json').toString());
    assert.is(facts.backend, 'tensorflow');
    assert.equal([facts.tensorflow.intraOpThreads, facts.tensorflow.interOpThreads, facts.tensorflow.devices], [2, 1, ['CPU']]);
    assert.match(facts.tensorflow.version, /^2\.\d+\.\d+/);
    assert.ok(facts.cpuInfo.vendor && Array.isArray(facts.cpuInfo.simd));
    // another thread count is another environment: re-trained, not served from the cache
    const t1 = await normreg(a, ['reproduce', '--profile', 'smoke', '--backend', 'tensorflow', '--threads', '1', '--update', 'none']);
    assert.match(t1.stdout, 'trained 1, cached 0');
    assert.is(JSON.parse(read(a, 'facts.json').toString()).tensorflow.intraOpThreads, 1);
    // the wasm engine's results and README stay untouched
    assert.not.ok(readFileSync(join(a, 'README.md'), 'utf8').includes('|'));
  });
}

test('asking for a TensorFlow backend that is not set up: exit 2 naming the setup command', async () => {
  // tensorflow-gpu is never set up on these machines (npm may have installed the package, not its binding)
  const ws = makeWorkspace({ 'a.json': tinySpec('a') });
  const r = await normreg(ws, ['reproduce', '--profile', 'smoke', '--backend', 'tensorflow-gpu']);
  assert.is(r.exitCode, 2);
  assert.match(r.stderr, /normreg: --backend: @tensorflow\/tfjs-node-gpu is (not installed|installed but its TensorFlow binding does not load: .*) \(fix: run `npx normreg setup tensorflow` \(add --gpu for tensorflow-gpu\)/);
});

test.run();
