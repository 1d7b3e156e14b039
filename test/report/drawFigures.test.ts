/** A sweep's heatmap is drawn only when every run of the sweep (in the whole profile, not the
 * selection) has a payload: `reproduce --only <one sweep cell>` used to draw a one-cell heatmap and
 * then fail verify against the 27-cell golden PNG. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { listSpecFiles, loadSpecs } from '../../src/spec/load.js';
import { drawFigures } from '../../src/report/drawFigures.js';
import { completeSweepRows } from '../../src/report/drawHeatmaps.js';
import type { ResultPayload } from '../../src/result/types.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const all = loadSpecs(listSpecFiles(join(ROOT, 'specs')), 'full');
const golden = (name: string) => JSON.parse(readFileSync(join(ROOT, 'golden', 'full', 'wasm', `${name}.json`), 'utf8')) as ResultPayload;
const sweep = all.filter((s) => s.sweep?.name === 'groupnorm-sweep');
const cell = sweep.find((s) => s.name === 'groupnorm-sweep.batch_32.l1_0.groups_2')!;

test('completeSweepRows: a sweep with every payload is complete; one payload short, it is not', () => {
  const payloads = sweep.map((s) => golden(s.name));
  assert.ok(sweep.length > 1);
  assert.equal([...completeSweepRows(all, payloads).keys()], ['groupnorm-sweep']);
  assert.equal([...completeSweepRows(all, payloads.slice(1)).keys()], []);
});

test('drawFigures over one sweep cell: no heatmap (the sweep is judged over all specs)', async () => {
  const drawn = await drawFigures(ROOT, [cell], [golden(cell.name)], true, undefined, all);
  assert.equal(drawn.filter((f) => f.file.startsWith('heatmap-')).map((f) => f.file), []);
  // the old behaviour, judging the selection alone, drew a one-cell grid: the test can tell
  const selectionOnly = await drawFigures(ROOT, [cell], [golden(cell.name)], true, undefined, [cell]);
  assert.equal(selectionOnly.filter((f) => f.file.startsWith('heatmap-')).map((f) => f.file), ['heatmap-groupnorm-sweep-test-delta.png']);
});

test.run();
