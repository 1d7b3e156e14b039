import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  AUTO_ORDER, SWIFTSHADER_ICD, chooseAdapter, dawnEnv, isSoftwareAdapter, parseAdapterRequest, planAuto, type AdapterFacts, type AutoProbe,
} from '../../src/engine/adapter.js';
import { UsageError } from '../../src/errors.js';

const SWIFTSHADER: AdapterFacts = { vendor: 'google', architecture: 'swiftshader', device: 'swiftshader-device-subzero-', description: 'SwiftShader driver 5.0.0', isFallbackAdapter: true };
const NVIDIA: AdapterFacts = { vendor: 'nvidia', architecture: 'hopper', device: '', description: 'NVIDIA: 550.54.15', isFallbackAdapter: false };
const LLVMPIPE: AdapterFacts = { vendor: 'mesa', architecture: '', device: 'llvmpipe (LLVM 15.0.6, 256 bits)', description: 'Mesa 22.3.6', isFallbackAdapter: false };

test('parseAdapterRequest: unset or empty is hardware; hardware|software; anything else names the variable and the fix', () => {
  assert.is(parseAdapterRequest({}), 'hardware');
  assert.is(parseAdapterRequest({ NORMREG_WEBGPU_ADAPTER: '' }), 'hardware');
  assert.is(parseAdapterRequest({ NORMREG_WEBGPU_ADAPTER: 'software' }), 'software');
  assert.is(parseAdapterRequest({ NORMREG_WEBGPU_ADAPTER: 'hardware' }), 'hardware');
  try {
    parseAdapterRequest({ NORMREG_WEBGPU_ADAPTER: 'cpu' });
    assert.unreachable();
  } catch (e) {
    assert.instance(e, UsageError);
    assert.match((e as Error).message, "NORMREG_WEBGPU_ADAPTER must be hardware or software (got 'cpu') (fix: unset it for a hardware GPU, or set NORMREG_WEBGPU_ADAPTER=software");
  }
});

test('isSoftwareAdapter: the fallback flag, or a software rasterizer by name', () => {
  assert.ok(isSoftwareAdapter(SWIFTSHADER));
  assert.ok(isSoftwareAdapter({ ...SWIFTSHADER, isFallbackAdapter: false }));
  assert.ok(isSoftwareAdapter(LLVMPIPE));
  assert.ok(isSoftwareAdapter({ ...NVIDIA, isFallbackAdapter: true }));
  assert.not.ok(isSoftwareAdapter(NVIDIA));
});

test('chooseAdapter: hardware never falls back to software; software never takes hardware; refusals list what was seen', () => {
  const cases: [Parameters<typeof chooseAdapter>[0], AdapterFacts[], AdapterFacts | RegExp][] = [
    ['hardware', [NVIDIA, SWIFTSHADER], NVIDIA],
    ['hardware', [SWIFTSHADER, NVIDIA], NVIDIA],
    ['hardware', [SWIFTSHADER], /^no hardware WebGPU adapter \(adapters seen: google swiftshader swiftshader-device-subzero- \(SwiftShader driver 5.0.0\) \[software\]\)$/],
    ['hardware', [], /^no hardware WebGPU adapter \(Dawn found no adapter\)$/],
    ['software', [NVIDIA, SWIFTSHADER], SWIFTSHADER],
    ['software', [LLVMPIPE], LLVMPIPE],
    ['software', [NVIDIA], /^no software WebGPU adapter \(adapters seen: nvidia hopper \(NVIDIA: 550.54.15\)\)$/],
  ];
  for (const [req, seen, want] of cases) {
    const c = chooseAdapter(req, seen);
    if (want instanceof RegExp) {
      assert.ok(!c.ok, `${req} ${JSON.stringify(seen)} should be refused`);
      if (!c.ok) assert.match(c.why, want);
    } else {
      assert.ok(c.ok && c.adapter === want, `${req} ${JSON.stringify(seen)}`);
    }
  }
  const none = chooseAdapter('hardware', []);
  assert.ok(!none.ok && /install the GPU's Vulkan driver/.test(none.fix) && /NORMREG_WEBGPU_ADAPTER=software/.test(none.fix));
  const soft = chooseAdapter('software', []);
  assert.ok(!soft.ok && /apt-get install chromium libvulkan1/.test(soft.fix));
});

test('dawnEnv: SwiftShader\'s driver only on a software request, never over a driver file the user chose; XDG_RUNTIME_DIR when unset', () => {
  const dir = () => '/tmp/x';
  assert.equal(dawnEnv('software', {}, 'linux', true, dir), { VK_ICD_FILENAMES: SWIFTSHADER_ICD, XDG_RUNTIME_DIR: '/tmp/x' });
  assert.equal(dawnEnv('hardware', {}, 'linux', true, dir), { XDG_RUNTIME_DIR: '/tmp/x' });
  assert.equal(dawnEnv('software', { VK_ICD_FILENAMES: '/my.json', XDG_RUNTIME_DIR: '/run/user/0' }, 'linux', true, dir), {});
  assert.equal(dawnEnv('software', { VK_DRIVER_FILES: '/my.json' }, 'linux', true, dir), { XDG_RUNTIME_DIR: '/tmp/x' });
  assert.equal(dawnEnv('software', {}, 'linux', false, dir), { XDG_RUNTIME_DIR: '/tmp/x' });
  assert.equal(dawnEnv('software', {}, 'darwin', true, dir), {});
});

test('planAuto: tensorflow-gpu (set up, GPU listed) > webgpu on a hardware adapter > wasm; never a software adapter', () => {
  assert.equal(AUTO_ORDER.map((o) => o.backend), ['tensorflow-gpu', 'webgpu', 'wasm']);
  const p = (tfSetUp: boolean, gpu: boolean | null, hw: boolean | null): AutoProbe => ({ tensorflowGpu: { setUp: tfSetUp, gpu }, webgpuHardware: hw });
  const table: [AutoProbe, string][] = [
    [p(true, true, true), 'tensorflow-gpu'],
    [p(true, false, true), 'webgpu'],
    [p(false, null, true), 'webgpu'],
    [p(true, true, false), 'tensorflow-gpu'],
    [p(false, null, false), 'wasm'], // e.g. only SwiftShader: it is not hardware
    [p(false, null, null), 'wasm'],
    [p(true, null, null), 'wasm'],
  ];
  for (const [probe, want] of table) assert.is(planAuto(probe).backend, want, JSON.stringify(probe));
  assert.equal(planAuto(p(false, null, false)).skipped, ['tensorflow-gpu: not TensorFlow set up with --gpu and a GPU listed', 'webgpu: not a hardware WebGPU adapter']);
});

test.run();
