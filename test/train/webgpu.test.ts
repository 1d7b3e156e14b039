/** The PyTorch fixtures on the webgpu backend (the software adapter: SwiftShader in CI): the
 * study network's loss, log-probabilities, every gradient, two SGD steps and the BatchNorm
 * running statistics (network-step.json), the layer-list networks (network-layers.json) and the
 * L1 SGD fixture (sgd-l1.json). Same tolerances as cpu and wasm (test/train/model.test.ts,
 * layers.test.ts, optimizer.test.ts); the worst error of each kind is printed, so that the
 * numbers stated in docs/backends.md can be checked. Reads are asynchronous: webgpu cannot read
 * the GPU synchronously in Node. No webgpu adapter is a failure, never a skip. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { backward, buildNetwork, forwardEval, forwardTrain, initBuffers, nllLoss, type Network, type Params } from '../../src/train/model.js';
import { resolveLayers, type NormType } from '../../src/spec/network.js';
import defaults from '../../src/spec/defaults.json' with { type: 'json' };
import { sgdStep, type SgdState } from '../../src/train/optimizer.js';
import { selectBackend } from '../../src/engine/backend.js';
import { programsRun } from '../../src/engine/webgpu.js';
import { loadFixture, type TorchTensor } from '../helpers/torch.js';
import { WEBGPU_FIX, webgpuMissing, webgpuReady } from '../helpers/webgpu.js';

process.env.NORMREG_WEBGPU_ADAPTER ??= 'software';
const run = webgpuReady || process.env.CI === 'true';

interface Arr { shape: number[]; data: Float32Array }
const arr = (t: TorchTensor): Arr => ({ shape: t.shape, data: Float32Array.from(t.data) });
/** NCHW -> NHWC and OIHW -> HWIO on plain arrays (the fixtures' torch layouts) */
function permute(a: Arr, perm: number[]): Arr {
  const shape = perm.map((p) => a.shape[p]);
  const strides = a.shape.map((_, i) => a.shape.slice(i + 1).reduce((x, y) => x * y, 1));
  const out = new Float32Array(a.data.length);
  const idx = new Array(shape.length).fill(0);
  for (let o = 0; o < out.length; o++) {
    let src = 0;
    for (let d = 0; d < shape.length; d++) src += idx[d] * strides[perm[d]];
    out[o] = a.data[src];
    for (let d = shape.length - 1; d >= 0; d--) { if (++idx[d] < shape[d]) break; idx[d] = 0; }
  }
  return { shape, data: out };
}
const act = (t: TorchTensor) => (t.shape.length === 4 ? permute(arr(t), [0, 2, 3, 1]) : arr(t));
const wgt = (t: TorchTensor) => permute(arr(t), [2, 3, 1, 0]);
const toT = (a: Arr) => tf.tensor(a.data, a.shape);

/** max |a-b| / (atol + rtol*|b|): <= 1 within tolerance (as test/helpers/torch.ts closeness) */
function closeness(a: Float32Array, b: Float32Array, atol: number, rtol: number): number {
  if (a.length !== b.length) throw new Error(`size ${a.length} vs ${b.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / (atol + rtol * Math.abs(b[i])));
  return worst;
}
const maxAbs = (a: Float32Array) => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
/** the worst error of each check kind, as a fraction of its tolerance */
const worst: Record<string, number> = {};
function check(kind: string, label: string, c: number): void {
  worst[kind] = Math.max(worst[kind] ?? 0, c);
  assert.ok(c <= 1, `${label}: closeness ${c.toFixed(3)} (> 1 is outside the tolerance)`);
}
async function read(ts: Record<string, tf.Tensor>): Promise<Record<string, Float32Array>> {
  const keys = Object.keys(ts);
  const vals = await Promise.all(keys.map(async (k) => Float32Array.from((await ts[k].data()) as Float32Array)));
  return Object.fromEntries(keys.map((k, i) => [k, vals[i]]));
}

if (!run) {
  const skip = suite('webgpu fixtures');
  skip.skip(`PyTorch fixtures on webgpu (${webgpuMissing}; fix: ${WEBGPU_FIX})`, () => {});
  skip.run();
}
const boot = suite('webgpu backend (software adapter)');
boot('starts on the adapter asked for and pins matmul to the packed program', async () => {
  assert.ok(webgpuReady, `${webgpuMissing} (fix: ${WEBGPU_FIX})`);
  const info = await selectBackend('webgpu');
  assert.is(info.name, 'webgpu');
  assert.is(tf.getBackend(), 'webgpu');
  assert.ok(info.webgpu!.adapter.software, `adapter ${JSON.stringify(info.webgpu!.adapter)} should be the software one asked for`);
  assert.is(tf.env().get('WEBGPU_MATMUL_PROGRAM_TYPE'), 3);
});
if (run) boot.run();

const fx = loadFixture('network-step.json');
function studyNet(norm: NormType): Network {
  const { layers } = resolveLayers(defaults.model.layers as Record<string, unknown>[], { norm, groups: 4, firstBlockGroups: 2, dropout: 0.1 });
  return buildNetwork(layers, { h: 28, w: 28, c: 1 }, 10);
}
const study = suite('study network vs PyTorch (webgpu)');
for (const variant of ['batch', 'layer', 'group'] as const) {
  study(`${variant}: loss, log-probs, gradients, two SGD steps, running stats, eval`, async () => {
    const info = await selectBackend('webgpu');
    const v = fx.variants[variant];
    const net = studyNet(variant);
    const names = net.params.map(([n]) => n);
    const x = toT(act(fx.data.input)) as tf.Tensor4D;
    const labels = tf.tensor1d(fx.data.labels, 'int32');
    const masks = ['d1', 'd2', 'd4', 'd5', 'd6', 'd7'].map((k) => tf.div(toT(act(fx.dropout.masks[k])), 1 - fx.dropout.p));
    let params: Params = Object.fromEntries(names.map((k) => [k, toT(k.startsWith('c') ? wgt(v.init[k]) : act(v.init[k]))]));
    let bufs = initBuffers(net);
    let state: SgdState = { buf: null };
    for (const stepNo of [1, 2]) {
      const s = v[`step${stepNo}`];
      const out = tf.tidy(() => {
        const f = forwardTrain(net, params, bufs, x, masks);
        const l = nllLoss(f.logp, labels);
        const g = backward(net, params, f, l.dlogits, info.useMaxPoolKernel);
        // torch grads include the L1 term; ours are the NLL part
        const gl1 = Object.fromEntries(names.map((k) => [k, tf.add(g[k], tf.mul(tf.sign(params[k]), fx.l1))]));
        const upd = sgdStep(params, g, state, { lr: fx.sgd.lr, momentum: fx.sgd.momentum, weightDecay: fx.sgd.weight_decay, l1: fx.l1 });
        return { nll: l.loss, logp: f.logp, gl1, upd, bufs: f.newBuffers };
      });
      const [{ nll, logp }, grads, after, running] = await Promise.all([read({ nll: out.nll, logp: out.logp }), read(out.gl1), read(out.upd.params), read(out.bufs)]);
      check('loss (abs)', `step ${stepNo} nll ${nll[0]} vs ${s.nll}`, Math.abs(nll[0] - s.nll) / 2e-5);
      if (stepNo === 1) {
        check('log-probs', 'log-probs', closeness(logp, Float32Array.from(s.log_probs.data), 1e-5, 1e-4));
        for (const k of names) {
          const want = (k.startsWith('c') ? wgt(s.grads[k]) : act(s.grads[k])).data;
          check('gradients', `grad ${k}`, closeness(grads[k], want, 1e-4 * maxAbs(want) + 1e-7, 1e-3));
        }
      }
      for (const k of names) {
        const want = (k.startsWith('c') ? wgt(s.params_after[k]) : act(s.params_after[k])).data;
        check('params after SGD', `step ${stepNo} param ${k}`, closeness(after[k], want, 1e-6 + 1e-5 * maxAbs(want), 1e-4));
      }
      if (variant === 'batch') {
        for (const id of ['n1', 'n2', 'n4', 'n5', 'n6', 'n7']) {
          const rs = s.running_stats[id];
          check('running stats', `${id} running mean`, closeness(running[`${id}.running_mean`], arr(rs.running_mean).data, 1e-6, 1e-4));
          check('running stats', `${id} running var`, closeness(running[`${id}.running_var`], arr(rs.running_var).data, 1e-6, 1e-4));
        }
        bufs = out.bufs;
      }
      params = out.upd.params;
      state = out.upd.state;
    }
    const ev = tf.tidy(() => { const logp = forwardEval(net, params, bufs, x); return tf.neg(tf.sum(tf.mul(logp, tf.oneHot(labels, 10)), 1)); });
    check('eval nll', 'eval nll after step 2', closeness((await read({ ev })).ev, Float32Array.from(v.eval_after_step2.nll.data), 1e-5, 1e-4));
  });
}
if (run) study.run();

const fl = loadFixture('network-layers.json');
const layers = suite('layer-list networks vs PyTorch (webgpu)');
for (const name of Object.keys(fl.cases)) {
  layers(`${name}: loss, log-probs, gradients and running statistics`, async () => {
    const info = await selectBackend('webgpu');
    const c = fl.cases[name];
    const { layers: ls, problems } = resolveLayers(c.layers, { dropout: 0 });
    assert.equal(problems, []);
    const net = buildNetwork(ls, { h: c.input.shape[1], w: c.input.shape[2], c: 1 }, c.classes);
    const out = tf.tidy(() => {
      const params: Params = Object.fromEntries(net.params.map(([k]) => [k, toT(arr(c.init[k]))]));
      const masks = net.dropouts.map((i, j) => tf.div(toT(arr(c.masks[j])), 1 - (net.layers[i] as { p: number }).p));
      const f = forwardTrain(net, params, initBuffers(net), toT(arr(c.input)) as tf.Tensor4D, masks);
      const l = nllLoss(f.logp, tf.tensor1d(c.labels, 'int32'));
      return { nll: l.loss, logp: f.logp, g: backward(net, params, f, l.dlogits, info.useMaxPoolKernel), running: f.newBuffers };
    });
    const [{ nll, logp }, grads, running] = await Promise.all([read({ nll: out.nll, logp: out.logp }), read(out.g), read(out.running)]);
    check('loss (abs)', `nll ${nll[0]} vs ${c.nll}`, Math.abs(nll[0] - c.nll) / 2e-5);
    check('log-probs', 'log-probs', closeness(logp, Float32Array.from(c.log_probs.data), 1e-5, 1e-4));
    assert.equal(Object.keys(grads).sort(), net.params.map(([k]) => k).sort());
    for (const [k] of net.params) {
      const want = Float32Array.from(c.grads[k].data as number[]);
      check('gradients', `grad ${k}`, closeness(grads[k], want, 1e-4 * maxAbs(want) + 1e-7, 1e-3));
    }
    for (const [n, rs] of Object.entries(c.running as Record<string, Record<string, TorchTensor>>)) {
      check('running stats', `${n} running mean`, closeness(running[`${n}.running_mean`], arr(rs.running_mean).data, 1e-6, 1e-4));
      check('running stats', `${n} running var`, closeness(running[`${n}.running_var`], arr(rs.running_var).data, 1e-6, 1e-4));
    }
  });
}
if (run) layers.run();

const sgd = suite('L1 SGD vs PyTorch (webgpu)');
sgd('sgn(w) as PyTorch: +-1 for tiny and denormal weights, 0 at +-0, within 4e-7 relative', async () => {
  await selectBackend('webgpu');
  const f = loadFixture('sgd-l1.json');
  const h = { lr: f.sgd.lr, momentum: f.sgd.momentum, weightDecay: f.sgd.weight_decay, l1: f.sgd.l1 };
  let p: Params = { w: tf.tensor(f.params_before.data) };
  let state: SgdState = { buf: null };
  for (const [k, step] of (f.steps as { data_grad: TorchTensor; params_after: TorchTensor }[]).entries()) {
    const r = sgdStep(p, { w: tf.tensor(step.data_grad.data) }, state, h);
    p = r.params;
    state = r.state;
    const got = (await read({ w: p.w })).w;
    step.params_after.data.forEach((want, i) => {
      const tol = 4e-7 * Math.max(Math.abs(want), 1e-5);
      check('L1 SGD (rel)', `step ${k + 1}, weight ${i} (was ${f.params_before.data[i]}): got ${got[i]}, PyTorch ${want}`, Math.abs(got[i] - want) / tol);
    });
  }
});
if (run) sgd.run();

const summary = suite('webgpu fixtures: worst errors');
summary('every kind of check ran; print the worst error of each as a fraction of its tolerance', () => {
  assert.equal(Object.keys(worst).sort(), ['L1 SGD (rel)', 'eval nll', 'gradients', 'log-probs', 'loss (abs)', 'params after SGD', 'running stats']);
  console.log(`webgpu vs PyTorch, worst error / tolerance: ${Object.entries(worst).map(([k, v]) => `${k} ${v.toFixed(3)}`).join(', ')}`);
  console.log(`webgpu programs run: ${[...programsRun].sort().join(', ')}`);
  assert.not.ok(programsRun.has('MatMulSplitKProgram'));
});
if (run) summary.run();
