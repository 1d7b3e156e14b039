import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { gpuLaunchEnv } from '../../src/setup/launch.js';

test('gpuLaunchEnv: the CUDA wheel folders of the staged GPU setup (resolved through deps/), null without one', () => {
  const root = mkdtempSync(join(tmpdir(), 'normreg-launch-'));
  assert.is(gpuLaunchEnv(root, {}), null);
  const entry = join(root, 'cache', 'gpu-2.21.0');
  mkdirSync(entry, { recursive: true });
  writeFileSync(join(entry, 'manifest.json'), JSON.stringify({ format: 1, variant: 'gpu', tfVersion: '2.21.0', wheel: 'w', stripped: true, cudaLibDirs: ['nvidia/cublas/lib', 'nvidia/cudnn/lib'] }));
  const pkg = join(root, 'node_modules', '@tensorflow', 'tfjs-node-gpu');
  mkdirSync(pkg, { recursive: true });
  symlinkSync(entry, join(pkg, 'deps'));
  assert.equal(gpuLaunchEnv(root, { LD_LIBRARY_PATH: '/opt/lib' }), { LD_LIBRARY_PATH: `${entry}/nvidia/cublas/lib:${entry}/nvidia/cudnn/lib:/opt/lib` });
  assert.is(gpuLaunchEnv(root, { LD_LIBRARY_PATH: `${entry}/nvidia/cublas/lib:${entry}/nvidia/cudnn/lib` }), null);
});

test.run();
