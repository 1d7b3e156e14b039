import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { backward, buildNetwork, forwardEval, forwardTrain, initBuffers, nllLoss, type Network, type Params } from '../../src/train/model.js';
import { resolveLayers, type NormType } from '../../src/spec/network.js';
import defaults from '../../src/spec/defaults.json' with { type: 'json' };
import { sgdStep, type SgdState } from '../../src/train/optimizer.js';
import { selectBackend } from '../../src/engine/backend.js';
import { closeness, fromTorch, loadFixture, weightFromTorch } from '../helpers/torch.js';

const fx = loadFixture('network-step.json');
const test = suite('study network as the default layer list');
/** The study's network: the default layer list, resolved as the spec loader does. */
function studyNet(norm: NormType): Network {
  const { layers } = resolveLayers(defaults.model.layers as Record<string, unknown>[], { norm, groups: 4, firstBlockGroups: 2, dropout: 0.1 });
  return buildNetwork(layers, { h: 28, w: 28, c: 1 }, 10);
}
const CONFIGS: Record<string, Network> = { batch: studyNet('batch'), layer: studyNet('layer'), group: studyNet('group') };
const PARAM_NAMES = CONFIGS.batch.params.map(([name]) => name);

test('the default layer list is the study network: parameter names and shapes in PyTorch module order', () => {
  assert.equal(CONFIGS.group.params, [
    ['c1', [3, 3, 1, 8]], ['n1.weight', [8]], ['n1.bias', [8]],
    ['c2', [3, 3, 8, 16]], ['n2.weight', [16]], ['n2.bias', [16]],
    ['c3', [1, 1, 16, 8]],
    ['c4', [3, 3, 8, 16]], ['n4.weight', [16]], ['n4.bias', [16]],
    ['c5', [3, 3, 16, 16]], ['n5.weight', [16]], ['n5.bias', [16]],
    ['c6', [3, 3, 16, 16]], ['n6.weight', [16]], ['n6.bias', [16]],
    ['c7', [1, 1, 16, 16]], ['n7.weight', [16]], ['n7.bias', [16]],
    ['c8', [1, 1, 16, 10]],
  ]);
  assert.equal(CONFIGS.group.layers.flatMap((l) => (l.type === 'norm' ? [l.groups] : [])), [2, 4, 4, 4, 4, 4]);
  assert.equal(CONFIGS.batch.dropouts.map((i) => CONFIGS.batch.shapes[i]), [
    { h: 26, w: 26, c: 8 }, { h: 24, w: 24, c: 16 }, { h: 10, w: 10, c: 16 }, { h: 8, w: 8, c: 16 }, { h: 6, w: 6, c: 16 }, { h: 1, w: 1, c: 16 },
  ]);
});

function loadParams(src: Record<string, any>): Params {
  const p: Params = {};
  for (const k of PARAM_NAMES) p[k] = k.startsWith('c') ? weightFromTorch(src[k]) : fromTorch(src[k]);
  return p;
}

test.run();

for (const backendName of ['cpu', 'wasm'] as const) {
  const test = suite(`model vs PyTorch (${backendName})`);
  test.before(async () => {
    await selectBackend(backendName);
  });
  for (const variant of ['batch', 'layer', 'group']) {
    test(`${variant}: loss, gradients and two SGD steps match PyTorch 1.13`, async () => {
      const v = fx.variants[variant];
      const cfg = CONFIGS[variant];
      const info = await selectBackend(backendName);
      const x = fromTorch(fx.data.input) as tf.Tensor4D;
      const labels = tf.tensor1d(fx.data.labels, 'int32');
      const masks = ['d1', 'd2', 'd4', 'd5', 'd6', 'd7'].map((k) => tf.div(fromTorch(fx.dropout.masks[k]), 1 - fx.dropout.p));
      let params = loadParams(v.init);
      let bufs = initBuffers(cfg);
      let state: SgdState = { buf: null };
      for (const step of [1, 2]) {
        const s = v[`step${step}`];
        const out = tf.tidy(() => {
          const f = forwardTrain(cfg, params, bufs, x, masks);
          const l = nllLoss(f.logp, labels);
          const g = backward(cfg, params, f, l.dlogits, info.useMaxPoolKernel);
          const upd = sgdStep(params, g, state, { lr: fx.sgd.lr, momentum: fx.sgd.momentum, weightDecay: fx.sgd.weight_decay, l1: fx.l1 });
          return { nll: l.loss, logp: f.logp, g, upd, bufs: f.newBuffers };
        });
        assert.ok(Math.abs(out.nll.dataSync()[0] - s.nll) < 2e-5, `step ${step} nll ${out.nll.dataSync()[0]} vs ${s.nll}`);
        if (step === 1) {
          assert.ok(closeness(out.logp, tf.tensor(s.log_probs.data, s.log_probs.shape), 1e-5, 1e-4) <= 1, 'log-probs');
          for (const k of PARAM_NAMES) {
            const expectG = k.startsWith('c') ? weightFromTorch(s.grads[k]) : fromTorch(s.grads[k]);
            // torch grads include the L1 term; ours are the NLL part: add l1*sign(w)
            const ours = tf.add(out.g[k], tf.mul(tf.sign(params[k]), fx.l1));
            // normwise: float32 sums of thousands of terms cancel; compare against the tensor's scale
            const scale = tf.max(tf.abs(expectG)).dataSync()[0];
            const c = closeness(ours, expectG, 1e-4 * scale + 1e-7, 1e-3);
            assert.ok(c <= 1, `grad ${k}: closeness ${c.toFixed(2)}`);
          }
        }
        for (const k of PARAM_NAMES) {
          const expectP = k.startsWith('c') ? weightFromTorch(s.params_after[k]) : fromTorch(s.params_after[k]);
          const c = closeness(out.upd.params[k], expectP, 1e-6 + 1e-5 * tf.max(tf.abs(expectP)).dataSync()[0], 1e-4);
          assert.ok(c <= 1, `step ${step} param ${k}: closeness ${c.toFixed(2)}`);
        }
        if (variant === 'batch') {
          for (const id of ['n1', 'n2', 'n4', 'n5', 'n6', 'n7']) {
            const rs = s.running_stats[id];
            assert.ok(closeness(out.bufs[`${id}.running_mean`], fromTorch(rs.running_mean), 1e-6, 1e-4) <= 1, `${id} running mean`);
            assert.ok(closeness(out.bufs[`${id}.running_var`], fromTorch(rs.running_var), 1e-6, 1e-4) <= 1, `${id} running var`);
          }
          bufs = out.bufs;
        }
        params = out.upd.params;
        state = out.upd.state;
      }
      const logp = forwardEval(cfg, params, bufs, x);
      const nll = tf.neg(tf.sum(tf.mul(logp, tf.oneHot(labels, 10)), 1));
      assert.ok(closeness(nll, tf.tensor(v.eval_after_step2.nll.data), 1e-5, 1e-4) <= 1, 'eval nll after step 2');
    });
  }
  test.run();
}
