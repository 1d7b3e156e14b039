/** The layer rules of .dependency-cruiser.cjs, run by the real dependency-cruiser on a copy of
 * src/: the copy as it is passes; an import that climbs a layer, or closes a circle, fails with the
 * rule's name. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { appendFileSync, cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DEPCRUISE = join(ROOT, 'node_modules', '.bin', 'depcruise');

function copyOfSrc(): string {
  const dir = mkdtempSync(join(tmpdir(), 'normreg-layers-'));
  cpSync(join(ROOT, 'src'), join(dir, 'src'), { recursive: true });
  for (const f of ['tsconfig.json', '.dependency-cruiser.cjs']) cpSync(join(ROOT, f), join(dir, f));
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

const cruise = (cwd: string) => execa(DEPCRUISE, ['src', '--config', '.dependency-cruiser.cjs', '--output-type', 'err'], { cwd, reject: false });

test('src/ as it is: no rule broken', async () => {
  const dir = copyOfSrc();
  try {
    const r = await cruise(dir);
    assert.is(r.exitCode, 0, r.stdout + r.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an import that climbs a layer, and one that closes a circle, fail by rule name', async () => {
  const dir = copyOfSrc();
  try {
    // spec (layer 2) importing the training loop (layer 4)
    appendFileSync(join(dir, 'src/spec/types.ts'), "\nexport type { TrainProgress } from '../train/loop.js';\n");
    // rows.ts <- format.ts already; rows importing format closes a circle inside report/
    appendFileSync(join(dir, 'src/report/rows.ts'), "\nexport { fmt } from './format.js';\n");
    const r = await cruise(dir);
    const out = (r.stdout + r.stderr).replace(/\x1b\[[0-9;]*m/g, '');
    assert.is.not(r.exitCode, 0, out);
    assert.match(out, /layer-spec: src\/spec\/types\.ts → src\/train\/loop\.ts/);
    assert.match(out, /no-circular: src\/report\/(rows|format)\.ts →\s+src\/report\/(rows|format)\.ts →\s+src\/report\/(rows|format)\.ts/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
