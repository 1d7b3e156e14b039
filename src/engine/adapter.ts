/** WebGPU adapter policy, as pure functions of plain data: which adapter a run may use (a
 * hardware one by default; a software one such as SwiftShader only when asked for with
 * NORMREG_WEBGPU_ADAPTER=software), the Vulkan environment that asks for it, and the order in
 * which `--backend auto` tries the backends. The Dawn side lives in webgpu.ts. */
import { UsageError } from '../errors.js';

export const ADAPTER_ENV = 'NORMREG_WEBGPU_ADAPTER';
const ADAPTER_REQUESTS = ['hardware', 'software'] as const;
export type AdapterRequest = (typeof ADAPTER_REQUESTS)[number];
/** Debian's chromium package ships SwiftShader's Vulkan driver here. */
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/** What WebGPU tells about an adapter (GPUAdapterInfo), plus whether it is a fallback (CPU) adapter. */
export interface AdapterFacts {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  isFallbackAdapter: boolean;
}

export interface AdapterRecord extends AdapterFacts {
  /** Dawn puts the driver's name and version in the description (Vulkan: VkPhysicalDeviceProperties) */
  driver: string;
  software: boolean;
  /** Dawn's native API for this platform */
  api: string;
}

/** NORMREG_WEBGPU_ADAPTER: unset/empty -> hardware; anything but hardware|software is a usage error. */
export function parseAdapterRequest(env: Record<string, string | undefined>): AdapterRequest {
  const v = (env[ADAPTER_ENV] ?? '').trim();
  if (v === '') return 'hardware';
  if ((ADAPTER_REQUESTS as readonly string[]).includes(v)) return v as AdapterRequest;
  throw new UsageError(`${ADAPTER_ENV} must be hardware or software (got '${v}')`,
    `unset it for a hardware GPU, or set ${ADAPTER_ENV}=software for a software adapter such as SwiftShader (slow: a CPU emulation)`);
}

const SOFTWARE_NAMES = /swiftshader|llvmpipe|lavapipe|softpipe|microsoft basic render|warp/i;

/** A CPU adapter: WebGPU's fallback flag, or a known software rasterizer by name. */
export function isSoftwareAdapter(a: AdapterFacts): boolean {
  return a.isFallbackAdapter || SOFTWARE_NAMES.test(`${a.vendor} ${a.architecture} ${a.device} ${a.description}`);
}

export function describeAdapter(a: AdapterFacts): string {
  const name = [a.vendor, a.architecture, a.device].filter(Boolean).join(' ') || 'unnamed adapter';
  return `${name}${a.description ? ` (${a.description})` : ''}${isSoftwareAdapter(a) ? ' [software]' : ''}`;
}

/** Dawn's API by platform (the npm `webgpu` package ships these builds). */
function dawnApi(platform: string): string {
  return platform === 'darwin' ? 'metal' : platform === 'win32' ? 'd3d12' : 'vulkan';
}

export function adapterRecord(a: AdapterFacts, platform: string): AdapterRecord {
  return { ...a, driver: a.description, software: isSoftwareAdapter(a), api: dawnApi(platform) };
}

/**
 * The environment Dawn must see when it starts. Vulkan reads VK_ICD_FILENAMES when Dawn creates
 * its instance, so a software request on Linux points it at SwiftShader's driver (when the user
 * did not choose a driver file); Dawn also warns unless XDG_RUNTIME_DIR is set.
 */
export function dawnEnv(request: AdapterRequest, env: Record<string, string | undefined>, platform: string,
  icdExists: boolean, runtimeDir: () => string): Record<string, string> {
  const out: Record<string, string> = {};
  if (platform === 'linux' && request === 'software' && !env.VK_ICD_FILENAMES && !env.VK_DRIVER_FILES && icdExists) out.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  if (platform === 'linux' && !env.XDG_RUNTIME_DIR) out.XDG_RUNTIME_DIR = runtimeDir();
  return out;
}

export type AdapterChoice =
  | { ok: true; adapter: AdapterFacts }
  | { ok: false; why: string; fix: string };

/**
 * Which adapter to use, from the ones Dawn returned (hardware preference first, then the
 * fallback request). Hardware request: the first non-software adapter, never a software one.
 * Software request: a software adapter (a hardware one is not silently used instead either,
 * so that the adapter is the one asked for).
 */
export function chooseAdapter(request: AdapterRequest, seen: AdapterFacts[]): AdapterChoice {
  const soft = seen.filter(isSoftwareAdapter);
  const hard = seen.filter((a) => !isSoftwareAdapter(a));
  const listed = seen.length ? `adapters seen: ${unique(seen.map(describeAdapter)).join('; ')}` : 'Dawn found no adapter';
  if (request === 'hardware') {
    if (hard.length) return { ok: true, adapter: hard[0] };
    return {
      ok: false,
      why: `no hardware WebGPU adapter (${listed})`,
      fix: `install the GPU's Vulkan driver (Linux; check with vulkaninfo --summary), or ask for the software adapter (slow, a CPU emulation): ${ADAPTER_ENV}=software${soft.length ? '' : ` with SwiftShader installed (Debian: apt-get install chromium libvulkan1)`}`,
    };
  }
  if (soft.length) return { ok: true, adapter: soft[0] };
  return {
    ok: false,
    why: `no software WebGPU adapter (${listed})`,
    fix: `install SwiftShader's Vulkan driver and loader (Debian: apt-get install chromium libvulkan1; it is read from ${SWIFTSHADER_ICD}, or set VK_ICD_FILENAMES to its icd.json)${hard.length ? `, or unset ${ADAPTER_ENV} to use the hardware adapter` : ''}`,
  };
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}

/** What the auto order needs to know about this machine. */
export interface AutoProbe {
  /** tfjs-node-gpu staged by `normreg setup tensorflow --gpu`, and whether TensorFlow lists a GPU (null: not loaded) */
  tensorflowGpu: { setUp: boolean; gpu: boolean | null };
  /** a hardware WebGPU adapter was seen (null: the webgpu packages are absent or Dawn failed) */
  webgpuHardware: boolean | null;
}

export type AutoBackend = 'tensorflow-gpu' | 'webgpu' | 'wasm';
/** `--backend auto`, first match wins; a software adapter is never in it. */
export const AUTO_ORDER: { backend: AutoBackend; when: string; test: (p: AutoProbe) => boolean }[] = [
  { backend: 'tensorflow-gpu', when: 'TensorFlow set up with --gpu and a GPU listed', test: (p) => p.tensorflowGpu.setUp && p.tensorflowGpu.gpu === true },
  { backend: 'webgpu', when: 'a hardware WebGPU adapter', test: (p) => p.webgpuHardware === true },
  { backend: 'wasm', when: 'always', test: () => true },
];

/** The backend auto picks, and why each earlier one was passed over. */
export function planAuto(p: AutoProbe): { backend: AutoBackend; skipped: string[] } {
  const skipped: string[] = [];
  for (const o of AUTO_ORDER) {
    if (o.test(p)) return { backend: o.backend, skipped };
    skipped.push(`${o.backend}: not ${o.when}`);
  }
  return { backend: 'wasm', skipped };
}
