/** Temp workspaces for end-to-end tests that drive the real CLI in a child process. */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { execa } from 'execa';

export const BIN = new URL('../../bin/normreg.js', import.meta.url).pathname;

const README = `# test\n\n<!-- normreg:results:smoke:start -->\n<!-- normreg:results:smoke:end -->\n\n<!-- normreg:sweeps:smoke:start -->\n<!-- normreg:sweeps:smoke:end -->\n`;

/** A tiny smoke profile: trains in about a second. */
export function tinySpec(name: string, extra: Record<string, unknown> = {}): object {
  return {
    name, title: name.toUpperCase(), model: { norm: 'batch' },
    profiles: { smoke: { dataset: { trainSize: 192, testSize: 100 }, training: { epochs: 1 } } },
    ...extra,
  };
}

export function makeWorkspace(specs: Record<string, object | string>, figures?: object): string {
  const dir = mkdtempSync(join(tmpdir(), 'normreg-e2e-'));
  mkdirSync(join(dir, 'specs'));
  for (const [file, body] of Object.entries(specs))
    writeFileSync(join(dir, 'specs', file), typeof body === 'string' ? body : JSON.stringify(body, null, 2));
  writeFileSync(join(dir, 'README.md'), README);
  if (figures) {
    mkdirSync(join(dir, 'reports'));
    writeFileSync(join(dir, 'reports', 'figures.json'), JSON.stringify(figures));
  }
  return dir;
}

export function normreg(cwd: string, args: string[], env: Record<string, string> = {}) {
  return execa('node', [BIN, ...args], { cwd, reject: false, env: { CI: '', ...env }, extendEnv: true });
}
