/** Where an npm package's files are: the bundle's vendor/ folder when there is one (`npm run bundle`
 * copies the data and native files of a few packages there, beside dist/), else node_modules. */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// two levels up from dist/<folder>/ (or src/util/): the package or bundle root
const VENDOR = fileURLToPath(new URL('../../vendor/', import.meta.url));

/** The package's folder; throws Node's "cannot find module" error when neither place has it. */
export function packageDir(pkg: string): string {
  const vendored = join(VENDOR, pkg);
  if (existsSync(join(vendored, 'package.json'))) return vendored;
  return dirname(createRequire(import.meta.url).resolve(`${pkg}/package.json`));
}

/** The package's version, or null when it is not installed. */
export function packageVersion(pkg: string): string | null {
  try {
    return (JSON.parse(readFileSync(join(packageDir(pkg), 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return null;
  }
}
