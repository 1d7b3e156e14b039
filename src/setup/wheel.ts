/** Which TensorFlow wheel the binding is built from, and what of it the binding needs. Pure. */

export type Variant = 'cpu' | 'gpu';

/** The tfjs-node release whose binding we build; its C++ sources call 55 TF_* / TFE_* functions
 * that TensorFlow 2.21's C API still exports. */
export const TFJS_NODE_VERSION = '4.22.0';
export const TF_VERSION = '2.21.0';

export const tfjsPackage = (v: Variant) => (v === 'gpu' ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node');
/** pip project: the GPU build of TensorFlow is the plain `tensorflow` wheel on Linux. */
export const wheelProject = (v: Variant) => (v === 'gpu' ? 'tensorflow' : 'tensorflow-cpu');

/** The two libraries of the C API (TF_*, TFE_* functions) inside the wheel. */
const WHEEL_LIBS = ['tensorflow/libtensorflow_cc.so.2', 'tensorflow/libtensorflow_framework.so.2'] as const;

/** The headers tfjs-node's binding includes (directly or through c_api.h), under tensorflow/include/. */
export const WHEEL_HEADERS = [
  'tensorflow/c/c_api.h', 'tensorflow/c/c_api_macros.h', 'tensorflow/c/tf_attrtype.h', 'tensorflow/c/tf_buffer.h',
  'tensorflow/c/tf_datatype.h', 'tensorflow/c/tf_status.h', 'tensorflow/c/tf_tensor.h', 'tensorflow/c/tf_tstring.h',
  'tensorflow/c/eager/c_api.h', 'tensorflow/core/platform/ctstring.h', 'tensorflow/core/platform/ctstring_internal.h',
  'tsl/platform/ctstring.h', 'tsl/platform/ctstring_internal.h', 'xla/tsl/c/tsl_status.h',
] as const;
const HEADER_ROOT = 'tensorflow/include/';

/** Names the binding links against (binding.gyp: -ltensorflow -ltensorflow_framework), and the
 * file whose presence makes tfjs-node's install.js skip its libtensorflow 2.9.1 download. */
export const LIB_LINKS: Record<string, string> = {
  'libtensorflow.so': 'libtensorflow_cc.so.2',
  'libtensorflow_framework.so': 'libtensorflow_framework.so.2',
  'libtensorflow.so.2.9.1': 'libtensorflow_cc.so.2',
};

export interface WheelName { project: string; version: string; python: string; abi: string; platforms: string[] }

/** PEP 427 file name: {project}-{version}(-{build})?-{python}-{abi}-{platform}.whl */
export function parseWheelName(file: string): WheelName | null {
  const base = file.split('/').pop() ?? '';
  const m = /^([A-Za-z0-9_.]+)-([^-]+)(?:-\d[^-]*)?-([^-]+)-([^-]+)-([^-]+)\.whl$/.exec(base);
  if (!m) return null;
  return { project: m[1].toLowerCase().replace(/[_.]+/g, '-'), version: m[2], python: m[3], abi: m[4], platforms: m[5].split('.') };
}

const ARCH: Record<string, string> = { x64: 'x86_64', arm64: 'aarch64' };

/** Why this wheel cannot give this host a C API library, or null when it can. The Python tag does
 * not matter: the C libraries do not link against Python. */
export function platformProblem(w: WheelName, host: { platform: string; arch: string }): string | null {
  if (host.platform !== 'linux') return `normreg builds the TensorFlow binding on Linux only (this is ${host.platform})`;
  const arch = ARCH[host.arch];
  if (!arch) return `no TensorFlow wheel for ${host.arch} (Linux wheels exist for x86_64 and aarch64)`;
  const ok = w.platforms.some((p) => /^(manylinux\d*(_\d+_\d+)?|linux)_/.test(p) && p.endsWith(`_${arch}`));
  return ok ? null : `wheel is for ${w.platforms.join('.')}, this machine is linux ${arch}`;
}

export interface Extraction {
  /** wheel member -> path relative to the cache entry */
  files: { member: string; to: string }[];
  /** needed members the wheel lacks */
  missing: string[];
}

/** The members of the wheel to extract: the two libraries into lib/, the 14 headers into include/. */
export function planExtraction(members: readonly string[]): Extraction {
  const have = new Set(members);
  const files: Extraction['files'] = [];
  const missing: string[] = [];
  for (const lib of WHEEL_LIBS) (have.has(lib) ? files.push({ member: lib, to: `lib/${lib.split('/').pop()}` }) : missing.push(lib));
  for (const h of WHEEL_HEADERS) (have.has(HEADER_ROOT + h) ? files.push({ member: HEADER_ROOT + h, to: `include/${h}` }) : missing.push(HEADER_ROOT + h));
  return { files, missing };
}

/** The CUDA 12 runtime wheels `tensorflow[and-cuda]` pulls in, read from the wheel's METADATA
 * (Requires-Dist lines marked extra == "and-cuda"), so they follow the TensorFlow version. */
export function parseCudaRequirements(metadata: string): string[] {
  const out: string[] = [];
  for (const line of metadata.split(/\r?\n/)) {
    const m = /^Requires-Dist:\s*([^;]+);\s*(.*)$/.exec(line);
    if (m && /extra\s*==\s*["']and-cuda["']/.test(m[2])) out.push(m[1].replace(/\s+/g, ''));
  }
  return out;
}

/** Directories of a CUDA runtime wheel's shared libraries (nvidia/<part>/lib/), from its members. */
export function cudaLibMembers(members: readonly string[]): string[] {
  return members.filter((m) => /^nvidia\/[^/]+\/lib\/[^/]+\.so(\.\d+)*$/.test(m));
}

/** `pip download` arguments for the wheel (binary only: an sdist has no libraries to reuse). */
export function pipDownloadArgs(variant: Variant, version: string, dir: string): string[] {
  return ['-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', '--dest', dir, `${wheelProject(variant)}==${version}`];
}
