import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { encodeCheckpoint, CheckpointCorrupt } from '../../src/train/checkpoint.js';
import { sampleCheckpoint as sample } from '../helpers/checkpoint.js';
import { checkCheckpointText } from '../../src/workspace/runFiles.js';

/** A checkpoint whose checksum is right but whose body is not what the harness writes. */
function forged(edit: (body: any) => void): string {
  const body = JSON.parse(/"body":(.*)\}\n$/s.exec(encodeCheckpoint(sample()))![1]);
  edit(body);
  const text = JSON.stringify(body);
  return `{"sha256":"${createHash('sha256').update(text).digest('hex')}","body":${text}}\n`;
}

test('a body with the right checksum is still checked: schema, ranges, epochs against state.epoch', () => {
  assert.ok(checkCheckpointText(forged(() => {})));
  const why = (edit: (b: any) => void) => { try { checkCheckpointText(forged(edit)); return 'accepted'; } catch (e) { assert.instance(e, CheckpointCorrupt); return (e as Error).message; } };
  assert.is(why((b) => { b.state.epochs[0].testAcc = 140; }), '/state/epochs/0/testAcc: must be <= 100 (got 140)');
  assert.is(why((b) => { b.state.epochs[0].trainLoss = 'low'; }), '/state/epochs/0/trainLoss: must be number (got "low")');
  assert.is(why((b) => { b.state.params.c1 = 12; }), 'params.c1 is not base64 text');
  assert.is(why((b) => { b.state.params.c1 = 'AAAAAA==*'; }), '/state/params/c1: "AAAAAA==*" does not match ^[A-Za-z0-9+/]*={0,2}$');
  assert.is(why((b) => { b.fingerprint = 'x'; }), '/fingerprint: "x" does not match ^[0-9a-f]{64}$');
  assert.is(why((b) => { delete b.state.lastEval; }), "/state: missing required key 'lastEval'");
  assert.is(why((b) => { b.state.epoch = 2; }), 'state.epochs does not match state.epoch');
  assert.is(why((b) => { b.state.epochSeconds = []; }), '/state/epochSeconds: 0 time(s) listed, but /state/epoch is 1');
  assert.is(why((b) => { b.state.epochs[0].epoch = 2; }), '/state/epochs/0/epoch: is 2, expected 1');
});

test.run();
