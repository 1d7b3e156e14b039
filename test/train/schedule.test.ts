import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { planSchedule } from '../../src/train/schedule.js';
import type { OneCycleConfig } from '../../src/spec/types.js';
import { loadFixture } from '../helpers/torch.js';

const fx = loadFixture('onecycle.json');

for (const name of ['study', 'small']) {
  test(`OneCycleLR matches PyTorch 1.13 (${name} schedule, every recorded step)`, () => {
    const { config: c, rows } = fx.schedules[name];
    const cfg: OneCycleConfig = {
      type: 'one-cycle', maxLr: c.max_lr, pctStart: c.pct_start, divFactor: c.div_factor, finalDivFactor: c.final_div_factor,
      anneal: c.anneal_strategy, cycleMomentum: c.cycle_momentum, baseMomentum: c.base_momentum, maxMomentum: c.max_momentum,
    };
    const at = planSchedule(cfg, { lr: c.sgd_lr, momentum: c.sgd_momentum }, c.total_steps);
    assert.ok(rows.length > 50);
    for (const r of rows) {
      const h = at(r.step);
      assert.ok(Math.abs(h.lr - r.lr) <= 1e-15 + 1e-12 * r.lr, `step ${r.step}: lr ${h.lr} vs ${r.lr}`);
      assert.ok(Math.abs(h.momentum - r.momentum) <= 1e-12, `step ${r.step}: momentum ${h.momentum} vs ${r.momentum}`);
    }
  });
}

test('REFERENCE.md values: peak at step 5627, 6e-8 at the last step', () => {
  const cfg: OneCycleConfig = { type: 'one-cycle', maxLr: 0.015, pctStart: 0.3, divFactor: 25, finalDivFactor: 1e4, anneal: 'cos', cycleMomentum: true, baseMomentum: 0.85, maxMomentum: 0.95 };
  const at = planSchedule(cfg, { lr: 0.015, momentum: 0.7 }, 20 * 938);
  assert.is(at(5627).lr, 0.015);
  assert.is(at(5627).momentum, 0.85);
  assert.ok(Math.abs(at(18759).lr - 6e-8) < 1e-20);
  assert.throws(() => at(18760), /outside schedule/);
});

test('constant schedule and cycleMomentum off keep the optimizer momentum', () => {
  assert.equal(planSchedule({ type: 'constant' }, { lr: 0.1, momentum: 0.7 }, 10)(3), { lr: 0.1, momentum: 0.7 });
  const cfg: OneCycleConfig = { type: 'one-cycle', maxLr: 0.1, pctStart: 0.3, divFactor: 25, finalDivFactor: 1e4, anneal: 'linear', cycleMomentum: false, baseMomentum: 0.85, maxMomentum: 0.95 };
  assert.is(planSchedule(cfg, { lr: 0.1, momentum: 0.7 }, 100)(50).momentum, 0.7);
});

test.run();
