/** The report site in a real browser: Debian's chromium driven by playwright-core loads the
 * full-profile page generated from the committed goldens over file:// and checks what a reader
 * sees. A missing browser fails this test; it never skips. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { listSpecFiles, loadSpecs } from '../../src/spec/load.js';
import { buildSite, writeSite } from '../../src/site/index.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const CHROMIUM = process.env.NORMREG_CHROMIUM ?? '/usr/bin/chromium';
const SCREENSHOT = join(ROOT, 'results', 'site', 'full.png');
const CELLS: Record<string, number> = { 'batchnorm-sweep': 27, 'groupnorm-sweep': 12, 'layernorm-sweep': 27 };

test('full-profile site from the committed goldens: charts render, table and heatmaps complete, a run opens', async () => {
  assert.ok(existsSync(CHROMIUM), `no browser at ${CHROMIUM}: install Debian's chromium (apt-get install chromium) or set NORMREG_CHROMIUM to a Chromium binary`);
  const dir = mkdtempSync(join(tmpdir(), 'normreg-site-'));
  const specs = loadSpecs(listSpecFiles(join(ROOT, 'specs')), 'full');
  const t0 = Date.now();
  const site = writeSite(join(dir, 'index.html'), buildSite({ root: ROOT }, 'full', specs, specs, false));
  const built = Date.now() - t0;
  let browser: Browser | null = null;
  try {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('requestfailed', (r) => problems.push(`failed request: ${r.url().slice(0, 120)}`));
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(site.file).href);
    await page.waitForSelector('body[data-charts]', { timeout: 60_000 });
    assert.is(await page.getAttribute('body', 'data-charts'), 'ready');

    // every chart container holds a rendered Vega view with an SVG
    const charts = await page.$$eval('.chart[id]', (els) => els.map((el) => ({ id: el.id, rendered: el.getAttribute('data-rendered'), svg: !!el.querySelector('svg') })));
    assert.is(charts.length, 9, JSON.stringify(charts.map((c) => c.id)));
    for (const c of charts) assert.ok(c.rendered === '1' && c.svg, `chart ${c.id} did not render`);
    assert.equal(await page.evaluate(() => (window as any).__site.errors), []);

    assert.is(await page.locator('#rows-table tbody tr').count(), 7);
    for (const [sweep, n] of Object.entries(CELLS))
      for (const metric of ['test', 'train']) {
        const id = `#chart-heatmap-${sweep}-${metric}`;
        assert.is(await page.getAttribute(id, 'data-cells'), String(n), id);
        // one SVG path per cell in the rect layer of the Vega view
        assert.is(await page.locator(`${id} g.mark-rect.role-mark path`).count(), n, `${id}: cells drawn`);
      }
    assert.is(await page.locator('details.run').count(), specs.length);

    // a click on a table row opens its run: curves chart, 20 digits, golden
    await page.click('#rows-table a[href="#run-batchnorm"]');
    await page.waitForSelector('#run-batchnorm[open] .run-chart[data-rendered] svg', { timeout: 10_000 });
    assert.is(await page.locator('#run-batchnorm .digit:not(.missing)').count(), 20);
    assert.match(await page.locator('#run-batchnorm .detail').innerText(), 'golden/full/wasm/batchnorm.json');

    // a click on a heatmap cell opens that cell's run
    const cell = page.locator('#chart-heatmap-groupnorm-sweep-test g.mark-rect.role-mark path').first();
    await cell.scrollIntoViewIfNeeded();
    const box = (await cell.boundingBox())!;
    // where a reader clicks: the cell's middle, on its label (the label's datum names the run too)
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await page.waitForFunction(() => location.hash.startsWith('#run-groupnorm-sweep.'), null, { timeout: 10_000 });
    const hash = await page.evaluate(() => decodeURIComponent(location.hash.slice(1)));
    await page.waitForSelector(`[id="${hash}"][open] .run-chart[data-rendered] svg`, { timeout: 10_000 });

    assert.ok(requests.every((u) => u.startsWith('file:') || u.startsWith('data:')), `only local requests: ${requests.filter((u) => !u.startsWith('file:') && !u.startsWith('data:')).join(', ')}`);
    assert.equal(problems, []);
    await page.evaluate(() => window.scrollTo(0, 0));
    mkdirSync(join(ROOT, 'results', 'site'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    console.log(`  site ${(site.bytes / 1024).toFixed(0)} KiB built in ${built} ms; screenshot ${SCREENSHOT}`);
  } finally {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
