import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { bindingKey, cacheRootFor, libraryPathEnv, napiBuildVersion, tfEntryDir } from '../../src/setup/paths.js';

test('cacheRootFor: NORMREG_CACHE, else XDG_CACHE_HOME/normreg, else ~/.cache/normreg (never node_modules)', () => {
  assert.is(cacheRootFor({ NORMREG_CACHE: '/ci/cache' }, '/home/u'), '/ci/cache');
  assert.is(cacheRootFor({ XDG_CACHE_HOME: '/x' }, '/home/u'), '/x/normreg');
  assert.is(cacheRootFor({}, '/home/u'), '/home/u/.cache/normreg');
  assert.is(tfEntryDir('/c', 'gpu', '2.21.0'), '/c/tensorflow/gpu-2.21.0');
});

test('bindingKey changes with everything the built binding depends on', () => {
  const p = { pkg: '@tensorflow/tfjs-node', tfjsVersion: '4.22.0', variant: 'cpu' as const, tfVersion: '2.21.0', stripped: true, nodeModules: '115', napi: 8, platform: 'linux', arch: 'x64' };
  assert.is(bindingKey(p), 'tfjs-node_4.22.0_tf2.21.0-cpu-stripped_abi115_napi8_linux-x64');
  const keys = new Set([bindingKey(p), bindingKey({ ...p, nodeModules: '127' }), bindingKey({ ...p, tfVersion: '2.20.0' }), bindingKey({ ...p, stripped: false }), bindingKey({ ...p, variant: 'gpu', pkg: '@tensorflow/tfjs-node-gpu' })]);
  assert.is(keys.size, 5);
});

test('napiBuildVersion: the highest of the package list this Node supports (node-pre-gyp\'s rule)', () => {
  assert.is(napiBuildVersion([3, 4, 5, 6, 7, 8], 9), 8);
  assert.is(napiBuildVersion([3, 4, 5, 6, 7, 8], 6), 6);
  assert.is(napiBuildVersion([5, 6], 4), null);
});

test('libraryPathEnv: CUDA wheel dirs first on LD_LIBRARY_PATH, the rest kept, null when already in front', () => {
  const dirs = ['/c/gpu/nvidia/cublas/lib', '/c/gpu/nvidia/cudnn/lib'];
  assert.equal(libraryPathEnv({}, dirs), { LD_LIBRARY_PATH: '/c/gpu/nvidia/cublas/lib:/c/gpu/nvidia/cudnn/lib' });
  assert.equal(libraryPathEnv({ LD_LIBRARY_PATH: '/usr/local/cuda/lib64:/c/gpu/nvidia/cudnn/lib' }, dirs),
    { LD_LIBRARY_PATH: '/c/gpu/nvidia/cublas/lib:/c/gpu/nvidia/cudnn/lib:/usr/local/cuda/lib64' });
  assert.is(libraryPathEnv({ LD_LIBRARY_PATH: '/c/gpu/nvidia/cublas/lib:/c/gpu/nvidia/cudnn/lib:/opt' }, dirs), null);
  assert.is(libraryPathEnv({ LD_LIBRARY_PATH: '/opt' }, []), null); // CPU setup: nothing to do
});

test.run();
