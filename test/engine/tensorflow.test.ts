import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { tensorflowEnv } from '../../src/engine/tensorflow.js';
import { parseTfThreads } from '../../src/engine/backend.js';
import { availableParallelism } from 'node:os';

test('tensorflowEnv: thread counts always, deterministic ops on the GPU only, a log level the user set is kept', () => {
  assert.equal(tensorflowEnv({ intra: 2, inter: 1 }, 'cpu', {}), { TF_NUM_INTRAOP_THREADS: '2', TF_NUM_INTEROP_THREADS: '1', TF_CPP_MIN_LOG_LEVEL: '2' });
  assert.equal(tensorflowEnv({ intra: 8, inter: 2 }, 'gpu', { TF_CPP_MIN_LOG_LEVEL: '0' }),
    { TF_NUM_INTRAOP_THREADS: '8', TF_NUM_INTEROP_THREADS: '2', TF_CPP_MIN_LOG_LEVEL: '0', TF_DETERMINISTIC_OPS: '1' });
});

test('parseTfThreads: --threads N intra-op (auto: every core), --inter-threads N (default 1)', () => {
  assert.equal(parseTfThreads(undefined, undefined), { intra: availableParallelism(), inter: 1 });
  assert.equal(parseTfThreads('4', '2'), { intra: 4, inter: 2 });
  assert.throws(() => parseTfThreads('0', undefined), /--threads must be a positive integer or auto/);
  assert.throws(() => parseTfThreads('2', 'x'), /--inter-threads must be a positive integer/);
});

test.run();
