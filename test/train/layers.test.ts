/** Non-study networks declared as layer lists: loss and every gradient against PyTorch
 * (test/fixtures/torch/network-layers.json, built from the same lists by make_fixtures.py) on the
 * cpu and wasm backends, wasm against cpu, and the wasm kernels with 1 and 2 threads byte for byte. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { backward, buildNetwork, forwardTrain, initBuffers, nllLoss, type Network, type Params } from '../../src/train/model.js';
import { resolveLayers } from '../../src/spec/network.js';
import { selectBackend } from '../../src/engine/backend.js';
import { registerWasmKernels } from '../../src/engine/wasmKernels.js';
import { closeness, loadFixture, type TorchTensor } from '../helpers/torch.js';

const fx = loadFixture('network-layers.json');
const CASES = Object.keys(fx.cases);
const t = (x: TorchTensor) => tf.tensor(Float32Array.from(x.data), x.shape);

interface StepOut { nll: Float32Array; logp: Float32Array; grads: Record<string, Float32Array>; running: Record<string, Float32Array> }

function netOf(name: string): Network {
  const c = fx.cases[name];
  const { layers, problems } = resolveLayers(c.layers, { dropout: 0 });
  assert.equal(problems, []);
  const x = c.input as TorchTensor;
  return buildNetwork(layers, { h: x.shape[1], w: x.shape[2], c: 1 }, c.classes);
}

/** A batch big enough that every kernel splits over two threads: n images of deterministic values. */
function bigBatch(net: Network, n: number) {
  const x = Float32Array.from({ length: n * net.input.h * net.input.w }, (_, i) => Math.sin(i * 0.37) * 1.5);
  return { x: tf.tensor4d(x, [n, net.input.h, net.input.w, 1]), labels: Array.from({ length: n }, (_, i) => (i * 7) % net.classes) };
}

/** One train-mode forward and backward from the fixture's init, on the active backend (with
 * `big`, on a batch of that many images, dropout off). */
function step(name: string, useMaxPoolKernel: boolean, big = 0): StepOut {
  const c = fx.cases[name];
  const net = netOf(name);
  return tf.tidy(() => {
    const params: Params = Object.fromEntries(net.params.map(([k]) => [k, t(c.init[k])]));
    const masks = big ? [] : net.dropouts.map((i, j) => tf.div(t(c.masks[j]), 1 - (net.layers[i] as { p: number }).p));
    const b = big ? bigBatch(net, big) : { x: t(c.input) as tf.Tensor4D, labels: c.labels as number[] };
    const f = forwardTrain(net, params, initBuffers(net), b.x, masks);
    const l = nllLoss(f.logp, tf.tensor1d(b.labels, 'int32'));
    const g = backward(net, params, f, l.dlogits, useMaxPoolKernel);
    const grab = (x: tf.Tensor) => Float32Array.from(x.dataSync() as Float32Array);
    return {
      nll: grab(l.loss), logp: grab(f.logp),
      grads: Object.fromEntries(Object.keys(g).map((k) => [k, grab(g[k])])),
      running: Object.fromEntries(Object.keys(f.newBuffers).map((k) => [k, grab(f.newBuffers[k])])),
    };
  });
}


for (const backend of ['cpu', 'wasm'] as const) {
  const test = suite(`layer networks vs PyTorch (${backend})`);
  test.before(async () => {
    await selectBackend(backend);
  });
  for (const name of CASES) {
    test(`${name}: loss, log-probs, gradients and running statistics`, async () => {
      const info = await selectBackend(backend);
      const c = fx.cases[name];
      const out = step(name, info.useMaxPoolKernel);
      assert.ok(Math.abs(out.nll[0] - c.nll) < 2e-5, `nll ${out.nll[0]} vs ${c.nll}`);
      assert.ok(closeness(tf.tensor(out.logp), tf.tensor(c.log_probs.data), 1e-5, 1e-4) <= 1, 'log-probs');
      const net = netOf(name);
      assert.equal(Object.keys(out.grads).sort(), net.params.map(([k]) => k).sort());
      for (const [k] of net.params) {
        const expect = tf.tensor(c.grads[k].data);
        const scale = tf.max(tf.abs(expect)).dataSync()[0];
        const cl = closeness(tf.tensor(out.grads[k]), expect, 1e-4 * scale + 1e-7, 1e-3);
        assert.ok(cl <= 1, `grad ${k}: closeness ${cl.toFixed(2)}`);
      }
      for (const [n, rs] of Object.entries(c.running as Record<string, Record<string, TorchTensor>>)) {
        assert.ok(closeness(tf.tensor(out.running[`${n}.running_mean`]), t(rs.running_mean), 1e-6, 1e-4) <= 1, `${n} running mean`);
        assert.ok(closeness(tf.tensor(out.running[`${n}.running_var`]), t(rs.running_var), 1e-6, 1e-4) <= 1, `${n} running var`);
      }
    });
  }
  test.run();
}

const engine = suite('layer networks: wasm vs cpu, 1 vs 2 kernel threads');
const BIG = 96;
engine('wasm within tolerance of cpu; 2 threads give the bytes of 1', async () => {
  await selectBackend('cpu');
  const cpuBig = CASES.map((n) => step(n, false, BIG));
  const info = await selectBackend('wasm');
  await registerWasmKernels({ threads: 1 });
  const one = CASES.map((n) => step(n, info.useMaxPoolKernel, BIG));
  await registerWasmKernels({ threads: 2 });
  const two = CASES.map((n) => step(n, info.useMaxPoolKernel, BIG));
  await registerWasmKernels({ threads: 1 });
  CASES.forEach((name, i) => {
    const same = (a: Float32Array, b: Float32Array) => Buffer.from(a.buffer).equals(Buffer.from(b.buffer));
    assert.ok(same(one[i].logp, two[i].logp), `${name}: log-probs differ between 1 and 2 threads`);
    for (const k of Object.keys(one[i].grads)) assert.ok(same(one[i].grads[k], two[i].grads[k]), `${name}: grad ${k} differs between 1 and 2 threads`);
    const cpu = cpuBig[i];
    assert.ok(Math.abs(one[i].nll[0] - cpu.nll[0]) < 1e-5, `${name}: loss wasm ${one[i].nll[0]} vs cpu ${cpu.nll[0]}`);
    for (const k of Object.keys(cpu.grads)) {
      const scale = Math.max(...cpu.grads[k].map(Math.abs));
      assert.ok(closeness(tf.tensor(one[i].grads[k]), tf.tensor(cpu.grads[k]), 1e-4 * scale + 1e-7, 1e-3) <= 1, `${name}: grad ${k} wasm vs cpu`);
    }
  });
});
engine.run();
