import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { registerWasmKernels, useSharedHeap } from '../../src/engine/wasmKernels.js';
import {
  NORM_BACKWARD_KERNEL, NORM_FORWARD_KERNEL, registerCpuNormKernels,
} from '../../src/engine/wasmNormKernels.js';
import { fromTorch, loadFixture, type TorchTensor } from '../helpers/torch.js';

useSharedHeap(); // before the wasm backend starts: the kernels run on a shared heap

interface Case {
  name: string; kind: 'batch' | 'group'; groups?: number; shape: number[]; eps: number;
  inputs: Record<'x' | 'weight' | 'bias' | 'dy', TorchTensor>;
  float32: Record<string, TorchTensor>;
  float64: Record<string, TorchTensor>;
}
const fx = loadFixture<{ cases: Case[] }>('norms.json');

/** max |a - e| / max |e| (normwise relative error). */
function relErr(a: tf.Tensor, e: tf.Tensor): number {
  const ad = a.dataSync(), ed = e.dataSync();
  assert.is(ad.length, ed.length);
  let num = 0, den = 0;
  for (let i = 0; i < ad.length; i++) { num = Math.max(num, Math.abs(ad[i] - ed[i])); den = Math.max(den, Math.abs(ed[i])); }
  return den === 0 ? num : num / den;
}

/** float64 reference as a float32 tensor in NHWC (the rounding costs <= 6e-8 relative). */
const ref = (t: TorchTensor): tf.Tensor => fromTorch(t);

for (const backend of ['cpu', 'wasm'] as const) {
  const test = suite(`norm kernels vs PyTorch float64 (${backend})`);
  test.before(async () => {
    await tf.setBackend(backend);
    await tf.ready();
    if (backend === 'wasm') await registerWasmKernels();
    else registerCpuNormKernels();
  });

  test('kernels are registered', () => {
    assert.ok(tf.getKernel(NORM_FORWARD_KERNEL, backend));
    assert.ok(tf.getKernel(NORM_BACKWARD_KERNEL, backend));
  });

  for (const c of fx.cases) {
    test(`${c.name} ${JSON.stringify(c.shape)}: forward, running stats and backward`, () => {
      const before = tf.memory().numTensors;
      tf.tidy(() => {
        const x = fromTorch(c.inputs.x) as tf.Tensor4D;
        const dy = fromTorch(c.inputs.dy) as tf.Tensor4D;
        const gamma = fromTorch(c.inputs.weight), beta = fromTorch(c.inputs.bias);
        const groups = c.kind === 'batch' ? 1 : c.groups!;
        const attrs = { groups, kind: c.kind } as unknown as tf.NamedAttrMap;
        const [out, xhat, mean, invStd, varU] = tf.engine().runKernel(NORM_FORWARD_KERNEL, { x, gamma, beta }, attrs) as tf.Tensor[];
        const [n, , , ch] = x.shape;
        const statShape = c.kind === 'batch' ? [ch] : [n, groups];
        assert.equal(out.shape, x.shape);
        assert.equal(xhat.shape, x.shape);
        assert.equal(mean.shape, statShape);
        assert.equal(invStd.shape, statShape);
        assert.equal(varU.shape, statShape);
        const e64 = c.float64, e32 = c.float32;
        // f64 statistics: our float32 results are within a few float32 roundings of float64 torch,
        // and closer to it than PyTorch's own float32 computation is (or within 2e-7 of it).
        const tol = 4e-7;
        const check = (what: string, ours: tf.Tensor, key: string): void => {
          const err = relErr(ours, ref(e64[key]));
          const torch32 = relErr(ref(e32[key]), ref(e64[key]));
          assert.ok(err <= tol, `${what}: error ${err.toExponential(2)} vs float64 (torch float32: ${torch32.toExponential(2)})`);
        };
        check('y', out, 'y');
        const [dx, dgamma, dbeta] = tf.engine().runKernel(NORM_BACKWARD_KERNEL, { dout: dy, xhat, gamma, invStd }, attrs) as tf.Tensor[];
        assert.equal(dx.shape, x.shape);
        assert.equal(dgamma.shape, [ch]);
        assert.equal(dbeta.shape, [ch]);
        check('dx', dx, 'dx');
        check('dweight', dgamma, 'dweight');
        check('dbias', dbeta, 'dbias');
        if (c.kind === 'batch') {
          // running stats start at 0 / 1 with momentum 0.1
          const rm = tf.mul(mean, 0.1), rv = tf.add(0.9, tf.mul(varU, 0.1));
          check('running_mean', rm, 'running_mean');
          check('running_var', rv, 'running_var');
        } else {
          // GN statistics against a float64 recomputation from x
          const xd = x.dataSync(), hw = x.shape[1] * x.shape[2], cg = ch / groups;
          const md = mean.dataSync(), id = invStd.dataSync();
          for (let b = 0; b < n; b++) {
            for (let g = 0; g < groups; g++) {
              let s = 0, q = 0;
              for (let p = 0; p < hw; p++) for (let k = 0; k < cg; k++) s += xd[(b * hw + p) * ch + g * cg + k];
              const m = s / (hw * cg);
              for (let p = 0; p < hw; p++) for (let k = 0; k < cg; k++) q += (xd[(b * hw + p) * ch + g * cg + k] - m) ** 2;
              const inv = 1 / Math.sqrt(q / (hw * cg) + 1e-5);
              assert.ok(Math.abs(md[b * groups + g] - m) <= 1e-7 * (1 + Math.abs(m)), `mean ${b},${g}`);
              assert.ok(Math.abs(id[b * groups + g] - inv) <= 1e-7 * inv, `invStd ${b},${g}`);
            }
          }
        }
      });
      assert.is(tf.memory().numTensors, before, 'no leaked tensors');
    });
  }

  test('results are bitwise reproducible', () => {
    const c = fx.cases[1];
    const run = (): Float32Array[] => tf.tidy(() => {
      const x = fromTorch(c.inputs.x), dy = fromTorch(c.inputs.dy);
      const gamma = fromTorch(c.inputs.weight), beta = fromTorch(c.inputs.bias);
      const attrs = { groups: 2, kind: 'group' } as unknown as tf.NamedAttrMap;
      const f = tf.engine().runKernel(NORM_FORWARD_KERNEL, { x, gamma, beta }, attrs) as tf.Tensor[];
      const b = tf.engine().runKernel(NORM_BACKWARD_KERNEL, { dout: dy, xhat: f[1], gamma, invStd: f[3] }, attrs) as tf.Tensor[];
      return [...f, ...b].map((t) => Float32Array.from(t.dataSync()));
    });
    const a = run(), b = run();
    a.forEach((v, i) => assert.equal(Array.from(v), Array.from(b[i])));
  });

  test('rejects bad attrs', () => {
    const x = tf.zeros([1, 2, 2, 6]), gamma = tf.ones([6]), beta = tf.zeros([6]);
    assert.throws(() => tf.engine().runKernel(NORM_FORWARD_KERNEL, { x, gamma, beta },
      { groups: 4, kind: 'group' } as unknown as tf.NamedAttrMap), /divisor/);
    assert.throws(() => tf.engine().runKernel(NORM_FORWARD_KERNEL, { x, gamma, beta },
      { groups: 1, kind: 'layer' } as unknown as tf.NamedAttrMap), /kind/);
    tf.dispose([x, gamma, beta]);
  });

  test.run();
}

// wasm and cpu kernels share one algorithm: results agree bit for bit.
const same = suite('norm kernels: wasm == cpu');
same('identical outputs', async () => {
  const results: Record<string, Float32Array[]> = {};
  for (const backend of ['cpu', 'wasm'] as const) {
    await tf.setBackend(backend);
    if (backend === 'wasm') await registerWasmKernels();
    results[backend] = [];
    for (const c of fx.cases) {
      tf.tidy(() => {
        const x = fromTorch(c.inputs.x), dy = fromTorch(c.inputs.dy);
        const gamma = fromTorch(c.inputs.weight), beta = fromTorch(c.inputs.bias);
        const attrs = { groups: c.kind === 'batch' ? 1 : c.groups!, kind: c.kind } as unknown as tf.NamedAttrMap;
        const f = tf.engine().runKernel(NORM_FORWARD_KERNEL, { x, gamma, beta }, attrs) as tf.Tensor[];
        const b = tf.engine().runKernel(NORM_BACKWARD_KERNEL, { dout: dy, xhat: f[1], gamma, invStd: f[3] }, attrs) as tf.Tensor[];
        for (const t of [...f, ...b]) results[backend].push(Float32Array.from(t.dataSync()));
      });
    }
  }
  results.cpu.forEach((v, i) => assert.equal(Array.from(v), Array.from(results.wasm[i]), `output ${i}`));
});
same.run();
