/** The dropout draws a step takes (src/train/drawAhead.ts): drawn ahead by the kernel thread or
 * here, the same positions and the same stream state; the fallbacks and the refusals. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { selectBackend } from '../../src/engine/backend.js';
import { drawAhead, registerWasmKernels, type DrawAhead } from '../../src/engine/wasmKernels.js';
import { resolveLayers } from '../../src/spec/network.js';
import { DropoutDraws, drawCap } from '../../src/train/drawAhead.js';
import { dropPositions } from '../../src/train/dropout.js';
import { buildNetwork, dropoutMaskShapes, type Network } from '../../src/train/model.js';
import { createStreams } from '../../src/train/rng.js';

const test = suite('dropout draws ahead');

function network(p = 0.1): Network {
  const { layers, problems } = resolveLayers([
    { type: 'conv', filters: 8, kernel: 3 }, { type: 'relu' }, { type: 'dropout', p },
    { type: 'conv', filters: 16, kernel: 3 }, { type: 'relu' }, { type: 'dropout', p: 0.3 },
    { type: 'globalAvgPool' }, { type: 'flatten' }, { type: 'dense', units: 10 }, { type: 'logSoftmax' },
  ], {});
  assert.equal(problems, []);
  return buildNetwork(layers, { h: 12, w: 12, c: 1 }, 10);
}

/** An epoch's batches of [64, 64, 64, 20] images. */
const BATCHES = [64, 64, 64, 20];

/** Each step's positions, and the stream states after each epoch, over `epochs` epochs. */
function run(net: Network, helper: DrawAhead | undefined, epochs = 2) {
  const streams = createStreams(4);
  const draws = new DropoutDraws(net, 4, streams, helper);
  const steps: number[][][] = [];
  const states: object[] = [];
  for (let e = 0; e < epochs; e++) {
    BATCHES.forEach((n, s) => {
      const drops = draws.take(n, s + 1 < BATCHES.length ? BATCHES[s + 1] : null);
      steps.push(drops.map((d) => [...d.positions]));
      assert.ok(drops.every((d, j) => d.keep === Math.fround(1 / (1 - [0.1, 0.3][j]))));
    });
    states.push(streams.dropout.state());
  }
  return { steps, states };
}

/** Drawing every step here with dropPositions, as before the helper drew ahead. */
function reference(net: Network, epochs = 2) {
  const streams = createStreams(4);
  const steps: number[][][] = [];
  const states: object[] = [];
  for (let e = 0; e < epochs; e++) {
    for (const n of BATCHES) {
      steps.push(dropoutMaskShapes(net, n).map((shape, j) =>
        [...dropPositions(shape.reduce((a, b) => a * b, 1), [0.1, 0.3][j], streams.dropout.next)]));
    }
    states.push(streams.dropout.state());
  }
  return { steps, states };
}

/** The kernel thread, counting what passes through it; `lose` makes every take report an overflow. */
function counted(lose = false) {
  const team = drawAhead()!;
  const seen = { posted: 0, taken: 0 };
  const helper: DrawAhead = {
    postDraws: (job) => { seen.posted++; return team.postDraws(job); },
    takeDraws: (ticket) => { seen.taken++; const r = team.takeDraws(ticket); return lose ? null : r; },
  };
  return { helper, seen };
}

test.before(async () => {
  await selectBackend('wasm');
  await registerWasmKernels({ threads: 2 });
});
test.after(async () => {
  await registerWasmKernels({ threads: 1 });
});

test('drawn ahead by the kernel thread: the positions and the stream state of drawing here; no job crosses an epoch', () => {
  const net = network();
  const { helper, seen } = counted();
  const ahead = run(net, helper);
  const here = reference(net);
  assert.equal(ahead.steps, here.steps);
  assert.equal(ahead.states, here.states, 'the stream state at each epoch end (what a checkpoint saves)');
  assert.is(seen.posted, 2 * (BATCHES.length - 1), 'every step but an epoch\'s first was drawn ahead');
  assert.is(seen.taken, seen.posted);
  assert.ok(here.steps[0][0].length > 500, 'it drew');
});

test('without a kernel thread: drawn here, the same again', () => {
  const net = network();
  assert.equal(run(net, undefined), reference(net));
});

test('a job that outgrew its room is drawn here from its starting state: the same again', () => {
  const net = network();
  const { helper, seen } = counted(true);
  assert.equal(run(net, helper), reference(net));
  assert.is(seen.taken, 2 * (BATCHES.length - 1));
});

test('close() takes a job still out, so the next run can post; a step of another size than drawn is refused', () => {
  const net = network();
  const { helper } = counted();
  const a = new DropoutDraws(net, 4, createStreams(4), helper);
  a.take(64, 64); // posts the next step's job
  a.close();
  a.close(); // nothing out: a no-op
  const b = new DropoutDraws(net, 4, createStreams(4), helper);
  b.take(64, 64);
  assert.throws(() => b.take(20, null), /drawn ahead for 64 images, the step has 20/);
  const c = new DropoutDraws(net, 4, createStreams(4), helper); // the refused step's job was taken: posting goes on
  c.take(64, 64);
  c.close();
});

test('drawCap leaves room far beyond the expected count', () => {
  for (const [size, p] of [[64 * 26 * 26 * 8, 0.1], [1000, 0.5], [10, 0.9], [5, 0]] as const) {
    const cap = drawCap(size, p);
    assert.ok(cap >= size * p + 6 * Math.sqrt(size * p * (1 - p)) || cap >= size, `${size} ${p}: ${cap}`);
  }
});

test.run();
