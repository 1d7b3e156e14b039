/** `normreg setup tensorflow` error paths, through the real CLI: each names what is missing and the fix. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { execa } from 'execa';
import { makeWorkspace, normreg } from '../helpers/workspace.js';

const cache = mkdtempSync(join(tmpdir(), 'normreg-setup-cache-'));
const env = { NORMREG_CACHE: cache };

test('no pip: the missing Python is named with the fix (and nothing is written)', async () => {
  const ws = makeWorkspace({});
  const r = await normreg(ws, ['setup', 'tensorflow', '--python', '/no/such/python3'], env);
  assert.is(r.exitCode, 2);
  assert.match(r.stderr, "no Python: '/no/such/python3' cannot be run (pip fetches the TensorFlow wheel) (fix: install python3 with pip, name one with --python, or pass a downloaded wheel with --wheel FILE)");
  assert.not.ok(existsSync(join(cache, 'tensorflow')));
  // every missing tool at once, before any download
  const both = await normreg(ws, ['setup', 'tensorflow', '--python', '/no/such/python3'], { ...env, CXX: '/no/such/g++' });
  assert.match(both.stderr, 'normreg: 2 problems:');
  assert.match(both.stderr, "no C++ compiler: '/no/such/g++' cannot be run (the binding is built from source) (fix: install one: apt-get install g++ (or set CXX))");
});

test('--wheel for another platform, a missing file, a name that is no wheel', async () => {
  const ws = makeWorkspace({});
  const mac = join(ws, 'tensorflow-2.21.0-cp311-cp311-macosx_12_0_arm64.whl');
  writeFileSync(mac, 'x');
  let r = await normreg(ws, ['setup', 'tensorflow', '--wheel', mac], env);
  assert.is(r.exitCode, 2);
  assert.match(r.stderr, 'no wheel for this platform: wheel is for macosx_12_0_arm64');
  r = await normreg(ws, ['setup', 'tensorflow', '--wheel', join(ws, 'nope.whl')], env);
  assert.match(r.stderr, 'nope.whl: no such file');
  writeFileSync(join(ws, 'tf.zip'), 'x');
  r = await normreg(ws, ['setup', 'tensorflow', '--wheel', join(ws, 'tf.zip')], env);
  assert.match(r.stderr, 'not a wheel file name');
  r = await normreg(ws, ['setup', 'pytorch'], env);
  assert.match(r.stderr, "setup: unknown target 'pytorch'");
});

test('a wheel without the C API: named, with the wheel to use; the cache keeps no half entry', async () => {
  const ws = makeWorkspace({});
  const whl = join(ws, 'tensorflow_cpu-2.21.0-cp311-cp311-manylinux_2_27_x86_64.whl');
  await execa('python3', ['-c', 'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1], "w"); z.writestr("tensorflow/__init__.py", ""); z.close()', whl]);
  const r = await normreg(ws, ['setup', 'tensorflow', '--wheel', whl], env);
  assert.is(r.exitCode, 2, r.stdout + r.stderr);
  assert.match(r.stderr, /has no TensorFlow C API: missing tensorflow\/libtensorflow_cc\.so\.2, tensorflow\/libtensorflow_framework\.so\.2, tensorflow\/include\/tensorflow\/c\/c_api\.h and 13 more \(fix: use a tensorflow-cpu/);
  assert.not.ok(existsSync(join(cache, 'tensorflow', 'cpu-2.21.0')));
});

test.run();
