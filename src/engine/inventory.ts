/** What `normreg backends` reports: every backend, available or not and why, with its adapter or
 * devices, versions and threads, and what `--backend auto` would pick now. Native libraries are
 * probed in child processes (a crash or driver chatter stays there); nothing trains. */
import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { execa } from 'execa';
import { packageVersion } from '../util/packages.js';
import { ADAPTER_ENV, describeAdapter, parseAdapterRequest, planAuto, type AdapterRecord, type AutoBackend } from './adapter.js';
import { tfjsNodePackage, type TfVariant } from './tensorflow.js';
import { probeWebgpu, type WebgpuProbe } from './webgpuProbe.js';

interface BackendEntry {
  name: string;
  available: boolean;
  /** why not, or what it runs on */
  detail: string;
  adapters?: AdapterRecord[];
  devices?: string[];
  versions: Record<string, string>;
  threads: string;
}
export interface Inventory { backends: BackendEntry[]; auto: { backend: AutoBackend; skipped: string[] } }

const version = packageVersion;
function staged(pkg: string): boolean {
  try {
    return existsSync(join(dirname(createRequire(import.meta.url).resolve(`${pkg}/package.json`)), 'deps', 'manifest.json'));
  } catch {
    return false;
  }
}
function child(name: string): string[] {
  const js = fileURLToPath(new URL(`./${name}.js`, import.meta.url));
  return existsSync(js) ? [js] : ['--import', 'tsx', fileURLToPath(new URL(`./${name}.ts`, import.meta.url))];
}

async function probeTf(variant: TfVariant): Promise<{ ok: true; version: string; devices: string[] } | { ok: false; error: string }> {
  const r = await execa(process.execPath, [...child('tensorflowProbeChild'), variant], { reject: false, stdin: 'ignore', timeout: 120_000, env: { TF_CPP_MIN_LOG_LEVEL: '2' } });
  try {
    const p = JSON.parse(String(r.stdout).trim().split('\n').pop() ?? '');
    if (r.exitCode === 0 && p.version) return { ok: true, version: p.version, devices: p.devices };
  } catch { /* below */ }
  return { ok: false, error: String(r.stderr).trim().split('\n').slice(-1)[0] || `exit ${r.exitCode}` };
}

async function tensorflowEntry(variant: TfVariant): Promise<{ entry: BackendEntry; gpu: boolean | null; setUp: boolean }> {
  const name = variant === 'gpu' ? 'tensorflow-gpu' : 'tensorflow';
  const pkg = tfjsNodePackage(variant);
  const setupCmd = `npx normreg setup tensorflow${variant === 'gpu' ? ' --gpu' : ''}`;
  const versions: Record<string, string> = { [pkg.replace('@tensorflow/', '')]: version(pkg) ?? 'not installed' };
  const threads = `intra ${availableParallelism()} (default; --threads N), inter 1`;
  if (!version(pkg)) return { entry: { name, available: false, detail: `${pkg} is not installed: run npm ci, then ${setupCmd}`, versions, threads }, gpu: null, setUp: false };
  if (!staged(pkg)) return { entry: { name, available: false, detail: `TensorFlow not set up: run \`${setupCmd}\``, versions, threads }, gpu: null, setUp: false };
  const p = await probeTf(variant);
  if (!p.ok) return { entry: { name, available: false, detail: `TensorFlow's binding does not load (${p.error}): run \`${setupCmd}\``, versions, threads }, gpu: null, setUp: true };
  const gpu = p.devices.includes('GPU');
  const available = variant === 'cpu' || gpu;
  return {
    entry: { name, available, detail: available ? `TensorFlow ${p.version}, devices ${p.devices.join(', ')}` : `TensorFlow ${p.version} lists no GPU (devices ${p.devices.join(', ')}): check the NVIDIA driver (nvidia-smi)`, devices: p.devices, versions: { ...versions, tensorflow: p.version }, threads },
    gpu, setUp: true,
  };
}

function webgpuEntry(request: 'hardware' | 'software', hw: WebgpuProbe, sw: WebgpuProbe): BackendEntry {
  const versions = hw.ok ? hw.versions : { webgpu: version('webgpu') ?? 'not installed', 'tfjs-backend-webgpu': version('@tensorflow/tfjs-backend-webgpu') ?? 'not installed' };
  const adapters = [...(hw.ok ? hw.adapters : []), ...(sw.ok ? sw.adapters : [])].filter((a, i, all) => all.findIndex((b) => describeAdapter(b) === describeAdapter(a)) === i);
  const hard = adapters.filter((a) => !a.software);
  const soft = adapters.filter((a) => a.software);
  const base = { name: 'webgpu', adapters, versions, threads: 'GPU (the adapter\'s own)' };
  if (!hw.ok && !sw.ok) return { ...base, available: false, detail: hw.error };
  if (request === 'software') {
    return soft.length ? { ...base, available: true, detail: `software adapter (${ADAPTER_ENV}=software; a CPU emulation, slow): ${describeAdapter(soft[0])}` }
      : { ...base, available: false, detail: `${ADAPTER_ENV}=software but no software adapter: apt-get install chromium libvulkan1 (SwiftShader)` };
  }
  if (hard.length) return { ...base, available: true, detail: `hardware adapter: ${describeAdapter(hard[0])}` };
  return { ...base, available: false, detail: `no hardware WebGPU adapter (install the GPU's Vulkan driver)${soft.length ? `; software adapter ${describeAdapter(soft[0])} with ${ADAPTER_ENV}=software (a CPU emulation, slow)` : '; no software adapter either (apt-get install chromium libvulkan1 for SwiftShader)'}` };
}

export async function gatherBackends(env: Record<string, string | undefined> = process.env): Promise<Inventory> {
  const request = parseAdapterRequest(env);
  const [tfGpu, tfCpu, hw, sw] = [await tensorflowEntry('gpu'), await tensorflowEntry('cpu'), await probeWebgpu('hardware'), await probeWebgpu('software')];
  const kernels = existsSync(fileURLToPath(new URL('../kernels.wasm', import.meta.url))) || existsSync(fileURLToPath(new URL('../../dist/kernels.wasm', import.meta.url)));
  const core = { 'tfjs-core': tf.version_core };
  const backends: BackendEntry[] = [
    tfGpu.entry, tfCpu.entry, webgpuEntry(request, hw, sw),
    { name: 'wasm', available: kernels, detail: kernels ? 'the reference engine: tfjs-backend-wasm with normreg\'s kernels (dist/kernels.wasm)' : 'dist/kernels.wasm is missing: run `npm run build`', versions: { ...core, 'tfjs-backend-wasm': version('@tensorflow/tfjs-backend-wasm') ?? 'not installed' }, threads: `1 or 2 (--threads; same bytes), ${availableParallelism()} core(s)` },
    { name: 'cpu', available: true, detail: 'tfjs\'s plain JavaScript backend (tests only; slow)', versions: core, threads: '1' },
  ];
  const hwSeen = hw.ok ? hw.adapters.some((a) => !a.software) : null;
  return { backends, auto: planAuto({ tensorflowGpu: { setUp: tfGpu.setUp, gpu: tfGpu.gpu }, webgpuHardware: hwSeen }) };
}

/** The table `normreg backends` prints. Pure. */
export function renderBackends(inv: Inventory): string {
  const rows = inv.backends.map((b) => [b.name, b.available ? 'yes' : 'no', b.detail, Object.entries(b.versions).map(([k, v]) => `${k} ${v}`).join(', '), b.threads]);
  const head = ['backend', 'available', 'adapter / devices / why not', 'versions', 'threads'];
  const widths = [0, 1].map((i) => Math.max(head[i].length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => `${r[0].padEnd(widths[0])}  ${r[1].padEnd(widths[1])}  ${r[2]}\n${' '.repeat(widths[0] + widths[1] + 4)}${r[3]}; threads: ${r[4]}`;
  return [`${head[0].padEnd(widths[0])}  ${head[1].padEnd(widths[1])}  ${head[2]}`, ...rows.map(line),
    `auto picks: ${inv.auto.backend}${inv.auto.skipped.length ? ` (${inv.auto.skipped.join('; ')})` : ''}`].join('\n') + '\n';
}
