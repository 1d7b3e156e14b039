/** The webgpu backend end to end through the CLI, on the software adapter (SwiftShader) CI installs.
 * Without it the training tests are skipped locally and FAIL under CI=true. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeWorkspace, normreg, tinySpec } from '../helpers/workspace.js';
import { WEBGPU_FIX, webgpuMissing, webgpuReady } from '../helpers/webgpu.js';

const SOFTWARE = { NORMREG_WEBGPU_ADAPTER: 'software' };
// 128 images at batch 64: two steps of every layer kind, L1 and L2 on (a few seconds each on SwiftShader)
const spec = () => tinySpec('det', { training: { l1: 0.001, weightDecay: 0.001 }, profiles: { smoke: { dataset: { trainSize: 128, testSize: 100 }, training: { epochs: 1 } } } });
const read = (ws: string, f: string) => readFileSync(join(ws, 'results', 'smoke.webgpu', 'det', f));

if (webgpuReady || process.env.CI === 'true') {
  test('same spec, seed and adapter in two processes: byte-identical result.json; facts record the adapter and versions', async () => {
    assert.ok(webgpuReady, `${webgpuMissing} (fix: ${WEBGPU_FIX})`);
    const a = makeWorkspace({ 'det.json': spec() });
    const b = makeWorkspace({ 'det.json': spec() });
    for (const ws of [a, b]) {
      const r = await normreg(ws, ['reproduce', '--profile', 'smoke', '--backend', 'webgpu', '--update', 'new'], SOFTWARE);
      assert.is(r.exitCode, 0, r.stdout + r.stderr);
      assert.match(r.stdout, 'backend webgpu, jobs 1 (adapter: google swiftshader');
    }
    assert.ok(read(a, 'result.json').equals(read(b, 'result.json')), 'result.json differs between two processes');
    const facts = JSON.parse(read(a, 'facts.json').toString());
    assert.is(facts.backend, 'webgpu');
    assert.is(facts.webgpu.request, 'software');
    assert.equal(Object.keys(facts.webgpu.adapter).sort(), ['api', 'architecture', 'description', 'device', 'driver', 'isFallbackAdapter', 'software', 'vendor']);
    assert.is(facts.webgpu.adapter.software, true);
    assert.equal(facts.webgpu.flags, { WEBGPU_MATMUL_PROGRAM_TYPE: 3 });
    assert.match(facts.versions.webgpu, /^0\.\d+\.\d+/);
    assert.match(facts.versions['tfjs-backend-webgpu'], /^4\.\d+\.\d+/);
    assert.is(facts.versions['adapter-software'], 'true');
    // the goldens go under golden/smoke/webgpu; the wasm engine's results stay untouched
    assert.ok(existsSync(join(a, 'golden', 'smoke', 'webgpu', 'det.json')));
    assert.not.ok(existsSync(join(a, 'results', 'smoke')));
  });
} else {
  test.skip(`webgpu end to end (${webgpuMissing}; fix: ${WEBGPU_FIX})`, () => {});
}

test('--backend webgpu with no hardware adapter: exit 2, the adapters seen and both fixes; nothing written', async () => {
  const ws = makeWorkspace({ 'det.json': spec() });
  // no Vulkan driver at all: the same on every Linux machine, GPU or not
  const r = await normreg(ws, ['reproduce', '--profile', 'smoke', '--backend', 'webgpu'], { NORMREG_WEBGPU_ADAPTER: '', VK_ICD_FILENAMES: '/nonexistent/icd.json' });
  assert.is(r.exitCode, 2, r.stdout + r.stderr);
  assert.match(r.stderr, "normreg: --backend: backend 'webgpu' is not available: no hardware WebGPU adapter (Dawn found no adapter) (fix: install the GPU's Vulkan driver (Linux; check with vulkaninfo --summary), or ask for the software adapter (slow, a CPU emulation): NORMREG_WEBGPU_ADAPTER=software");
  assert.not.match(r.stderr, /\n\s+at .*\.(m?js|ts)\b/); // no JavaScript stack trace (Dawn's own Vulkan warnings name .cpp lines)
  assert.not.ok(existsSync(join(ws, 'results')));
});

test('a bad NORMREG_WEBGPU_ADAPTER: exit 2 naming the variable and its values', async () => {
  const ws = makeWorkspace({ 'det.json': spec() });
  const r = await normreg(ws, ['reproduce', '--profile', 'smoke', '--backend', 'webgpu'], { NORMREG_WEBGPU_ADAPTER: 'gpu' });
  assert.is(r.exitCode, 2, r.stdout + r.stderr);
  assert.match(r.stderr, "NORMREG_WEBGPU_ADAPTER must be hardware or software (got 'gpu')");
});

test('backends --json: every backend with a reason; webgpu lists the software adapter as software; auto never picks it', async () => {
  const ws = makeWorkspace({ 'det.json': spec() });
  // hardware: the default, spelled out (other test files of this process ask for software)
  const HW = { NORMREG_WEBGPU_ADAPTER: 'hardware' };
  const r = await normreg(ws, ['backends', '--json'], HW);
  assert.is(r.exitCode, 0, r.stderr);
  const inv = JSON.parse(r.stdout);
  assert.equal(inv.backends.map((b: { name: string }) => b.name), ['tensorflow-gpu', 'tensorflow', 'webgpu', 'wasm', 'cpu']);
  for (const b of inv.backends) assert.ok(typeof b.available === 'boolean' && b.detail.length > 0 && b.threads.length > 0, JSON.stringify(b));
  const w = inv.backends.find((b: { name: string }) => b.name === 'webgpu');
  const hardware = (w.adapters ?? []).filter((a: { software: boolean }) => !a.software);
  if (webgpuReady) assert.ok(w.adapters.some((a: { software: boolean; architecture: string }) => a.software && a.architecture === 'swiftshader'), JSON.stringify(w));
  if (!hardware.length) {
    assert.is(w.available, false);
    assert.match(w.detail, 'no hardware WebGPU adapter');
    assert.is.not(inv.auto.backend, 'webgpu');
  }
  const text = await normreg(ws, ['backends'], HW);
  assert.match(text.stdout, /^auto picks: (wasm|webgpu|tensorflow-gpu)/m);
});

test.run();
