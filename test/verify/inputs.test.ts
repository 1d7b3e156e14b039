import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { listSpecFiles, loadSpecs } from '../../src/spec/load.js';
import { fingerprintSpec } from '../../src/plan/fingerprint.js';
import { goldenProblems, payloadMatchesSpec, runNames } from '../../src/verify/inputs.js';
import type { ResultPayload } from '../../src/result/types.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

test('the committed goldens of both profiles pass, and match the epochs and seed of the spec they were made from', () => {
  let matched = 0;
  for (const profile of ['smoke', 'full'] as const) {
    const specs = loadSpecs(listSpecFiles(join(ROOT, 'specs')), profile);
    assert.equal(goldenProblems({ root: ROOT }, specs), [], profile);
    for (const s of specs) {
      try {
        const g = JSON.parse(readFileSync(join(ROOT, 'golden', profile, 'wasm', `${s.name}.json`), 'utf8')) as ResultPayload;
        if (g.specFingerprint === fingerprintSpec(s)) matched++;
      } catch { /* no golden for this run */ }
    }
  }
  assert.ok(matched > 20, `the spec check applies to ${matched} goldens`);
});

test('a payload made from this spec must have its epochs and seed; one made from another spec is left to compare', () => {
  const [spec] = loadSpecs([join(ROOT, 'specs/batchnorm.json')], 'smoke');
  const g = JSON.parse(readFileSync(join(ROOT, 'golden/smoke/wasm/batchnorm.json'), 'utf8')) as ResultPayload;
  assert.equal(payloadMatchesSpec('g.json', g, spec, 'f'), []);
  const more = { ...g, seed: 7, epochs: [...g.epochs, { ...g.epochs[1], epoch: 3 }] };
  assert.equal(payloadMatchesSpec('g.json', more, spec, 'f').map((p) => `${p.pointer}: ${p.message}`), [
    `/epochs: lists 3 epoch(s), but the spec it was made from (specs/batchnorm.json) declares ${spec.training.epochs}`,
    `/seed: is 7, but the spec it was made from declares seed ${spec.seed}`,
  ]);
  assert.equal(payloadMatchesSpec('g.json', { ...more, specFingerprint: 'b'.repeat(64) }, spec, 'f'), []);
});

test('runNames: runs and experiments (seeds share an experiment)', () => {
  const specs = loadSpecs([join(ROOT, 'specs/batchnorm.json')], 'smoke');
  assert.equal(runNames(specs), ['batchnorm', 'batchnorm.seed_2', 'batchnorm.seed_3']);
});

test.run();
