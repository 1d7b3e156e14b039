import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { inferShapes, layerNames, resolveLayers, type Layer } from '../../src/spec/network.js';

const d = { norm: 'group' as const, groups: 4, firstBlockGroups: 2, dropout: 0.1 };
const net = (raw: Record<string, unknown>[]) => resolveLayers(raw, d);
const MNIST = { h: 28, w: 28, c: 1 };

test('defaults are filled from the model fields: first norm layer firstBlockGroups, the rest groups', () => {
  const { layers, problems } = net([
    { type: 'conv', filters: 8 }, { type: 'norm' }, { type: 'dropout' }, { type: 'conv', filters: 16, padding: 'same', bias: true },
    { type: 'norm' }, { type: 'norm', kind: 'batch' }, { type: 'maxPool' }, { type: 'dense', units: 3 },
  ]);
  assert.equal(problems, []);
  assert.equal(layers, [
    { type: 'conv', filters: 8, kernel: 3, padding: 'valid', bias: false }, { type: 'norm', kind: 'group', groups: 2 }, { type: 'dropout', p: 0.1 },
    { type: 'conv', filters: 16, kernel: 3, padding: 'same', bias: true }, { type: 'norm', kind: 'group', groups: 4 }, { type: 'norm', kind: 'batch', groups: 1 },
    { type: 'maxPool', size: 2 }, { type: 'dense', units: 3, bias: true },
  ]);
});

test('fields that do not belong to a kind, and groups on a non-group norm, are refused', () => {
  const { problems } = net([{ type: 'relu', filters: 3 }, { type: 'norm', kind: 'batch', groups: 2 }, { type: 'conv' }]);
  assert.equal(problems.map((p) => [p.index, p.field]), [[0, 'filters'], [1, 'groups'], [2, 'filters']]);
  assert.match(problems[0].message, "'filters' does not apply to a relu layer");
});

const layers = (raw: Record<string, unknown>[]) => net(raw).layers as Layer[];

test('shape inference: the shape after every layer', () => {
  const r = inferShapes(layers([
    { type: 'conv', filters: 5, kernel: 5 }, { type: 'maxPool', size: 3 }, { type: 'conv', filters: 7, kernel: 3, padding: 'same' },
    { type: 'avgPool' }, { type: 'flatten' }, { type: 'dense', units: 10 }, { type: 'logSoftmax' },
  ]), MNIST, 10);
  assert.equal(r.problems, []);
  assert.equal(r.shapes.map((s) => `${s.h}x${s.w}x${s.c}`), ['24x24x5', '8x8x5', '8x8x7', '4x4x7', '1x1x112', '1x1x10', '1x1x10']);
});

test('shape inference errors point at the layer and say the shape there', () => {
  const g = inferShapes(layers([{ type: 'conv', filters: 16 }, { type: 'relu' }, { type: 'norm', groups: 3 }, { type: 'globalAvgPool' }, { type: 'conv', filters: 10, kernel: 1 }, { type: 'logSoftmax' }]), MNIST, 10);
  assert.equal([g.problems[0].index, g.problems[0].field], [2, 'groups']);
  assert.is(g.problems[0].message, '3 groups do not divide the 16 channels of /model/layers/2 (input 26x26x16)');
  const small = inferShapes(layers([{ type: 'maxPool' }, { type: 'maxPool' }, { type: 'maxPool' }, { type: 'conv', filters: 4, kernel: 5 }]), MNIST, 10);
  assert.equal([small.problems[0].index, small.problems[0].field], [3, 'kernel']);
  assert.is(small.problems[0].message, "spatial size falls below 1: a 5x5 'valid' conv on input 3x3x1 gives -1x-1");
  const tiny = inferShapes(layers([{ type: 'maxPool', size: 3 }, { type: 'maxPool', size: 3 }, { type: 'maxPool', size: 3 }, { type: 'maxPool', size: 3 }]), MNIST, 10);
  assert.match(tiny.problems[0].message, 'spatial size falls below 1: a 3x3 maxPool on input 1x1x1 gives 0x0');
  const classes = inferShapes(layers([{ type: 'conv', filters: 8, kernel: 1 }, { type: 'globalAvgPool' }, { type: 'logSoftmax' }]), MNIST, 10);
  assert.equal([classes.problems[0].index, classes.problems[0].field], [0, 'filters']);
  assert.is(classes.problems[0].message, 'the network outputs 8 scores, the dataset has 10 classes');
  const dense = inferShapes(layers([{ type: 'dense', units: 10 }, { type: 'logSoftmax' }]), MNIST, 10);
  assert.match(dense.problems[0].message, 'a dense layer needs a 1x1 input, got input 28x28x1');
  const end = inferShapes(layers([{ type: 'conv', filters: 10, kernel: 1 }]), MNIST, 10);
  assert.equal([end.problems[0].index, end.problems[0].message], [-1, 'the network must end with a logSoftmax layer (the loss is NLL of log-probabilities)']);
  const middle = inferShapes(layers([{ type: 'logSoftmax' }, { type: 'conv', filters: 10 }]), MNIST, 10);
  assert.is(middle.problems[0].message, 'logSoftmax must be the last layer');
});

test('names: c{k} for the k-th conv or dense layer, n{k} for a norm after it', () => {
  assert.equal(layerNames(layers([{ type: 'norm' }, { type: 'conv', filters: 4 }, { type: 'norm' }, { type: 'norm' }, { type: 'dense', units: 2 }])), ['n0_0', 'c1', 'n1', 'n1_3', 'c2']);
});

test.run();
