import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { PYTORCH_SCRIPT } from '../../src/bench/pytorch.js';
import { codeFiles } from '../../src/plan/codeHash.js';

test('bench --compare-pytorch finds the PyTorch benchmark in reference/pytorch/', () => {
  assert.ok(existsSync(PYTORCH_SCRIPT), PYTORCH_SCRIPT);
  assert.match(PYTORCH_SCRIPT.split('\\').join('/'), /\/reference\/pytorch\/bench_pytorch\.py$/);
  // reference_pytorch.py imports the model from its neighbour
  const ref = join(dirname(PYTORCH_SCRIPT), 'reference_pytorch.py');
  assert.match(readFileSync(ref, 'utf8'), 'from bench_pytorch import Net');
});

test('the PyTorch references are not part of the training code hash', () => {
  const root = join(dirname(PYTORCH_SCRIPT), '../..');
  const files = codeFiles(root).map((f) => relative(root, f).split('\\').join('/'));
  assert.ok(files.length > 0);
  assert.not.ok(files.some((f) => f.endsWith('.py')), files.filter((f) => f.endsWith('.py')).join(', '));
});

test.run();
