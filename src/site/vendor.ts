/** The page's only libraries, read from node_modules: Vega and vega-embed, minified builds as
 * published (their bytes follow package-lock.json). The charts are compiled to Vega beforehand, so
 * vega-lite is not shipped. */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ReportError } from '../errors.js';

const FILES: [pkg: string, file: string][] = [['vega', 'build/vega.min.js'], ['vega-embed', 'build/vega-embed.min.js']];

export function readVendorJs(): string {
  const require = createRequire(import.meta.url);
  return FILES.map(([pkg, file]) => {
    // vega's "exports" hide package.json, so look where node would look
    const dir = (require.resolve.paths(pkg) ?? []).map((p) => join(p, pkg)).find((d) => existsSync(join(d, file)));
    if (!dir) throw new ReportError('REPORT_SITE', [{ file: `node_modules/${pkg}/${file}`, pointer: '', message: 'not found: the report site inlines it', fix: 'run `npm ci`' }]);
    const version = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
    return `/* ${pkg} ${version} (${file}) */\n${readFileSync(join(dir, file), 'utf8').replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n')}`;
  }).join('\n');
}
