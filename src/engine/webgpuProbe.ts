/** Which WebGPU adapters this machine offers, asked in a child process: Dawn prints driver
 * warnings on stderr and may crash on a broken driver, neither of which may reach the caller.
 * Used by `--backend auto` and the `backends` command; a run itself starts Dawn in-process. */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { ADAPTER_ENV, type AdapterRecord, type AdapterRequest } from './adapter.js';

export type WebgpuProbe =
  | { ok: true; request: AdapterRequest; adapters: AdapterRecord[]; versions: Record<string, string> }
  | { ok: false; request: AdapterRequest; error: string };

/** The child as built (dist/*.js), or its TypeScript source under tsx (the tests). */
function childCommand(): string[] {
  const js = fileURLToPath(new URL('./webgpuProbeChild.js', import.meta.url));
  if (existsSync(js)) return [js];
  return ['--import', 'tsx', fileURLToPath(new URL('./webgpuProbeChild.ts', import.meta.url))];
}

export async function probeWebgpu(request: AdapterRequest, timeoutMs = 60_000): Promise<WebgpuProbe> {
  const r = await execa(process.execPath, childCommand(), {
    reject: false, stdin: 'ignore', timeout: timeoutMs, env: { [ADAPTER_ENV]: request },
  });
  const last = String(r.stdout).trim().split('\n').pop() ?? '';
  try {
    const parsed = JSON.parse(last) as WebgpuProbe;
    if (r.exitCode === 0 && typeof parsed === 'object' && parsed && 'ok' in parsed) return parsed;
  } catch { /* below */ }
  const why = r.timedOut ? `timed out after ${timeoutMs / 1000} s` : `exit ${r.exitCode ?? r.signal}: ${String(r.stderr).trim().split('\n').slice(-2).join(' | ')}`;
  return { ok: false, request, error: `the adapter probe failed (${why})` };
}
