import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { atomicRefusal, PINNED_FLAGS } from '../../src/engine/webgpu.js';
import { selectBackend } from '../../src/engine/backend.js';
import { BackendError } from '../../src/errors.js';
import { WEBGPU_FIX, webgpuMissing, webgpuReady } from '../helpers/webgpu.js';

test('atomicRefusal: float accumulation with atomics is refused, integer atomics and plain programs pass', () => {
  assert.is(atomicRefusal({ atomic: true, name: 'MatMulSplitKProgram' }, 'float32'), 'MatMulSplitKProgram adds float32 values with atomics, so its sums depend on the GPU\'s thread order');
  assert.is(atomicRefusal({ atomic: true, name: 'BincountProgram' }, 'int32'), null);
  assert.is(atomicRefusal({ atomic: false, name: 'MatMulPackedProgram' }, 'float32'), null);
  assert.is(atomicRefusal({ name: 'ReduceProgram' }, 'float32'), null);
  assert.equal(PINNED_FLAGS, { WEBGPU_MATMUL_PROGRAM_TYPE: 3 });
});

if (webgpuReady || process.env.CI === 'true') {
  test('on the webgpu backend, a kernel that adds floats with atomics fails loudly instead of varying', async () => {
    assert.ok(webgpuReady, `${webgpuMissing} (fix: ${WEBGPU_FIX})`);
    process.env.NORMREG_WEBGPU_ADAPTER ??= 'software';
    await selectBackend('webgpu');
    const x = tf.tensor2d([[1, 2, 3, 4], [5, 6, 7, 8]]);
    try {
      tf.unsortedSegmentSum(x, tf.tensor1d([0, 1], 'int32'), 2); // UnsortedSegmentSumProgram: atomic float adds
      assert.unreachable('unsortedSegmentSum ran');
    } catch (e) {
      assert.instance(e, BackendError);
      assert.match((e as Error).message, 'webgpu: UnsortedSegmentSumProgram adds float32 values with atomics');
    }
    // a large-K matmul: tfjs's own choice is MatMulSplitK (refused); pinned, the packed program gives the same bytes twice
    const a = tf.randomUniform([1, 16, 4096], -1, 1, 'float32', 7);
    const b = tf.randomUniform([1, 4096, 16], -1, 1, 'float32', 8);
    tf.env().set('WEBGPU_MATMUL_PROGRAM_TYPE', -1);
    try {
      assert.throws(() => tf.matMul(a, b), /webgpu: MatMulSplitKProgram adds float32 values with atomics/);
    } finally {
      tf.env().set('WEBGPU_MATMUL_PROGRAM_TYPE', PINNED_FLAGS.WEBGPU_MATMUL_PROGRAM_TYPE);
    }
    const r1 = await tf.matMul(a, b).data();
    const r2 = await tf.matMul(a, b).data();
    assert.ok(Buffer.from(r1.buffer).equals(Buffer.from(r2.buffer)));
  });
} else {
  test.skip(`webgpu guard (${webgpuMissing}; fix: ${WEBGPU_FIX})`, () => {});
}

test.run();
