/** The committed site through the real CLI, in a copy of the repository at another path (another
 * clone): verify passes on it as committed, flags it when its bytes differ, and report restores it;
 * a local result goes to results/site/full/ and leaves the committed page as it is. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { normreg } from '../helpers/workspace.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const SITE = 'reports/full/site/index.html';

test('verify flags a stale committed site; report rewrites it from the goldens alone, local results go beside', async () => {
  const ws = mkdtempSync(join(tmpdir(), 'normreg-site-clone-'));
  try {
    for (const p of ['specs', 'golden', 'reports', 'docs', 'README.md']) cpSync(join(ROOT, p), join(ws, p), { recursive: true });
    const committed = readFileSync(join(ws, SITE), 'utf8');
    const ok = await normreg(ws, ['verify', '--profile', 'full']);
    assert.is(ok.exitCode, 0, ok.stdout + ok.stderr);
    assert.not.match(ok.stdout, 'report site');

    writeFileSync(join(ws, SITE), committed.replace('<h2>Claims</h2>', '<h2>Claim</h2>'));
    const stale = await normreg(ws, ['verify', '--profile', 'full']);
    assert.is(stale.exitCode, 1, stale.stdout + stale.stderr);
    assert.match(stale.stdout, `FAIL    ${SITE} (the report site) is stale (run \`npx normreg report --profile full\`, then commit it)`);
    assert.match(stale.stdout, /verify full: 0 ok, 1 failed/);

    // a local result (the golden's bytes): the committed page must not take it in
    mkdirSync(join(ws, 'results/full/batchnorm'), { recursive: true });
    cpSync(join(ws, 'golden/full/wasm/batchnorm.json'), join(ws, 'results/full/batchnorm/result.json'));
    const rep = await normreg(ws, ['report', '--profile', 'full']);
    assert.is(rep.exitCode, 0, rep.stderr);
    assert.match(rep.stdout, `site: ${SITE} written (`);
    assert.match(rep.stdout, 'site: results/site/full/index.html written (');
    assert.match(rep.stdout, "1 local result(s) with verify's verdicts");
    assert.is(readFileSync(join(ws, SITE), 'utf8'), committed, 'the committed page is the goldens\' page, in any clone');
    const local = readFileSync(join(ws, 'results/site/full/index.html'), 'utf8');
    assert.match(local, 'from local results where they exist, else goldens');
    assert.match(local, '1 with a local result');

    const again = await normreg(ws, ['verify', '--profile', 'full']);
    assert.is(again.exitCode, 0, again.stdout + again.stderr);
    assert.match(again.stdout, /verify full: 1 ok, 0 failed/);
    assert.ok(existsSync(join(ws, SITE)));
  } finally {
    rmSync(ws, { recursive: true, force: true });
  }
});

test.run();
