import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { backward, forwardEval, forwardTrain, initBuffers, nllLoss, PARAM_NAMES, type ModelConfig, type Params } from '../../src/train/model.js';
import { sgdStep, type SgdState } from '../../src/train/optimizer.js';
import { selectBackend } from '../../src/engine/backend.js';
import { closeness, fromTorch, loadFixture, weightFromTorch } from '../helpers/torch.js';

const fx = loadFixture('network-step.json');
const CONFIGS: Record<string, ModelConfig> = {
  batch: { norm: 'batch', groups: [1, 1, 1, 1, 1, 1], dropout: 0.1 },
  layer: { norm: 'layer', groups: [1, 1, 1, 1, 1, 1], dropout: 0.1 },
  group: { norm: 'group', groups: [2, 4, 4, 4, 4, 4], dropout: 0.1 },
};

function loadParams(src: Record<string, any>): Params {
  const p: Params = {};
  for (const k of PARAM_NAMES) p[k] = k.startsWith('c') ? weightFromTorch(src[k]) : fromTorch(src[k]);
  return p;
}

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
