/** `normreg setup tensorflow`: a TensorFlow wheel's C API -> a cache outside node_modules ->
 * tfjs-node(-gpu) installed without its download -> the binding built from source -> loaded once in
 * a child process. The decisions are in wheel.ts and paths.ts; this file does the IO. Every step
 * writes into a temp folder and renames, so a failure leaves the previous working state. */
import { copyFileSync, existsSync, readdirSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, renameSync, rmSync, symlinkSync, lstatSync, writeFileSync, statSync, cpSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join, relative } from 'node:path';
import { execa } from 'execa';
import { SetupError, problem } from '../errors.js';
import { TFJS_NODE_VERSION, TF_VERSION, LIB_LINKS, cudaLibMembers, parseCudaRequirements, parseWheelName, pipDownloadArgs, planExtraction, platformProblem, tfjsPackage, wheelProject, type Variant } from './wheel.js';
import { bindingKey, napiBuildVersion, tfEntryDir, type SetupManifest } from './paths.js';
import { probeTensorflow, type TensorflowProbe } from './probe.js';

export interface SetupOptions {
  variant: Variant;
  /** a wheel file to use instead of asking pip */
  wheel?: string;
  python: string;
  /** project root (holds node_modules) */
  root: string;
  cacheRoot: string;
  log: (line: string) => void;
}

export interface SetupReport {
  variant: Variant;
  entry: string;
  binding: string;
  /** what each step did: 'cached', 'staged', 'built', ... */
  steps: { name: string; action: string; seconds: number }[];
  probe: TensorflowProbe;
  seconds: number;
}

const fail = (message: string, fix: string, cause?: unknown) => new SetupError('SETUP', [problem('', '', message, fix)], { cause });

async function can(cmd: string, args: string[]): Promise<boolean> {
  const r = await execa(cmd, args, { reject: false, stdin: 'ignore' });
  return r.exitCode === 0;
}

/** Node's C headers for node-gyp: npm_config_nodedir, else the prefix of this node (/usr for /usr/bin/node). */
function findNodeDir(env: NodeJS.ProcessEnv = process.env): string | null {
  const candidates = [env.npm_config_nodedir, join(dirname(process.execPath), '..')].filter((d): d is string => !!d);
  return candidates.find((d) => existsSync(join(d, 'include', 'node', 'node_api.h'))) ?? null;
}

function findNodeGyp(root: string, env: NodeJS.ProcessEnv = process.env): string | null {
  const candidates = [env.npm_config_node_gyp, join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    join(root, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js')].filter((d): d is string => !!d);
  return candidates.find((d) => existsSync(d)) ?? null;
}

/** Everything missing, reported together before any work. */
async function checkTools(o: SetupOptions): Promise<{ nodeDir: string; nodeGyp: string }> {
  const problems = [];
  const needPip = !o.wheel || o.variant === 'gpu';
  if (needPip) {
    if (!(await can(o.python, ['--version']))) problems.push(problem('', '', `no Python: '${o.python}' cannot be run (pip fetches the TensorFlow wheel)`, 'install python3 with pip, name one with --python, or pass a downloaded wheel with --wheel FILE'));
    else if (!(await can(o.python, ['-m', 'pip', '--version']))) problems.push(problem('', '', `'${o.python}' has no pip`, `install it (\`${o.python} -m ensurepip\` or apt-get install python3-pip), or pass a downloaded wheel with --wheel FILE`));
  }
  const cxx = process.env.CXX || 'g++';
  if (!(await can(cxx, ['--version']))) problems.push(problem('', '', `no C++ compiler: '${cxx}' cannot be run (the binding is built from source)`, 'install one: apt-get install g++ (or set CXX)'));
  if (!(await can('make', ['--version']))) problems.push(problem('', '', 'no make (node-gyp builds with it)', 'install it: apt-get install make'));
  const nodeDir = findNodeDir();
  if (!nodeDir) problems.push(problem('', '', `Node's headers are missing (no include/node/node_api.h under ${join(dirname(process.execPath), '..')})`, 'install them (Debian: apt-get install libnode-dev; or a Node from nodejs.org), or set npm_config_nodedir to a Node source/headers folder'));
  const nodeGyp = findNodeGyp(o.root);
  if (!nodeGyp) problems.push(problem('', '', 'node-gyp not found (npm bundles it)', 'install it: npm install -g node-gyp, or set npm_config_node_gyp to its bin/node-gyp.js'));
  if (problems.length) throw new SetupError('SETUP', problems);
  return { nodeDir: nodeDir!, nodeGyp: nodeGyp! };
}

/** Wheel members: unzip when present, else Python's zipfile. */
async function listMembers(o: SetupOptions, wheel: string): Promise<string[]> {
  if (await can('unzip', ['-v'])) return (await execa('unzip', ['-Z1', wheel])).stdout.split('\n').filter(Boolean);
  const r = await execa(o.python, ['-c', 'import sys, zipfile; print("\\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))', wheel]);
  return r.stdout.split('\n').filter(Boolean);
}
async function extractMembers(o: SetupOptions, wheel: string, members: string[], dir: string): Promise<void> {
  if (await can('unzip', ['-v'])) await execa('unzip', ['-o', '-q', wheel, ...members, '-d', dir]);
  else await execa(o.python, ['-c', 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2], sys.argv[3:])', wheel, dir, ...members]);
}

async function pipDownload(o: SetupOptions, args: string[], what: string): Promise<void> {
  const r = await execa(o.python, args, { reject: false, stdin: 'ignore', all: true });
  if (r.exitCode !== 0) {
    const lines = String(r.all ?? '').trim().split('\n');
    const errors = lines.filter((l) => l.startsWith('ERROR')); // pip's retry warnings say nothing new
    const tail = (errors.length ? errors : lines.slice(-3)).join(' | ');
    const none = /No matching distribution|Could not find a version/.test(String(r.all));
    throw fail(none ? `no wheel for this platform: pip finds no ${what} for ${process.platform} ${process.arch} (${o.python}): ${tail}` : `pip could not download ${what}: ${tail}`,
      none ? `TensorFlow ${TF_VERSION} publishes Linux wheels for x86_64 and aarch64 (glibc >= 2.27); check pip's index (pip config list), or fetch the wheel where it is served (pip download --no-deps ${args[args.length - 1]}) and pass it with --wheel FILE` : 'check pip\'s index settings (pip config list) and network, or pass a downloaded wheel with --wheel FILE');
  }
}

/** Extract the libraries (stripped when `strip` exists) and headers into the cache entry. */
async function buildEntry(o: SetupOptions, entry: string): Promise<string> {
  mkdirSync(dirname(entry), { recursive: true });
  const work = mkdtempSync(`${entry}.tmp-`);
  try {
    let wheel = o.wheel;
    if (!wheel) {
      o.log(`  pip download ${wheelProject(o.variant)}==${TF_VERSION} (${o.variant === 'cpu' ? 'about 270 MB' : 'several hundred MB'})`);
      await pipDownload(o, pipDownloadArgs(o.variant, TF_VERSION, join(work, 'wheels')), `${wheelProject(o.variant)} ${TF_VERSION} wheel`);
      const found = readdirSync(join(work, 'wheels')).filter((f) => f.endsWith('.whl'));
      if (found.length !== 1) throw fail(`pip downloaded ${found.length} wheels, expected one`, 'pass the wheel with --wheel FILE');
      wheel = join(work, 'wheels', found[0]);
    }
    const members = await listMembers(o, wheel);
    const { files, missing } = planExtraction(members);
    if (missing.length) throw fail(`${wheel} has no TensorFlow C API: missing ${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ` and ${missing.length - 3} more` : ''}`,
      `use a tensorflow-cpu (or, with --gpu, tensorflow) ${TF_VERSION} manylinux wheel`);
    const out = join(work, 'entry');
    const raw = join(work, 'raw');
    await extractMembers(o, wheel, files.map((f) => f.member), raw);
    for (const f of files) {
      mkdirSync(dirname(join(out, f.to)), { recursive: true });
      renameSync(join(raw, f.member), join(out, f.to));
    }
    const stripped = await can('strip', ['--version']);
    if (stripped) for (const f of files.filter((x) => x.to.startsWith('lib/'))) await execa('strip', ['--strip-unneeded', join(out, f.to)]);
    for (const [link, target] of Object.entries(LIB_LINKS)) symlinkSync(target, join(out, 'lib', link));
    let cudaLibDirs: string[] = [];
    if (o.variant === 'gpu') cudaLibDirs = await addCudaWheels(o, wheel, members, work, out);
    const manifest: SetupManifest = { format: 1, variant: o.variant, tfVersion: versionOf(wheel), wheel: wheel.split('/').pop()!, stripped, cudaLibDirs };
    writeFileSync(join(out, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
    rmSync(entry, { recursive: true, force: true });
    renameSync(out, entry);
    return stripped ? 'extracted (stripped)' : 'extracted (not stripped: no `strip`)';
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** GPU: the CUDA 12 runtime wheels tensorflow[and-cuda] names, their .so files into nvidia/<part>/lib/. */
async function addCudaWheels(o: SetupOptions, wheel: string, members: string[], work: string, out: string): Promise<string[]> {
  const meta = members.find((m) => /^[^/]+\.dist-info\/METADATA$/.test(m));
  if (!meta) throw fail(`${wheel} has no METADATA`, 'use an official tensorflow wheel');
  await extractMembers(o, wheel, [meta], join(work, 'meta'));
  const reqs = parseCudaRequirements(readFileSync(join(work, 'meta', meta), 'utf8'));
  if (!reqs.length) throw fail(`${wheel} names no CUDA wheels (no "and-cuda" extra)`, 'use the tensorflow (GPU) wheel for Linux x86_64');
  o.log(`  pip download ${reqs.length} CUDA 12 runtime wheels (several GB)`);
  const dir = join(work, 'cuda');
  await pipDownload(o, ['-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', '--dest', dir, ...reqs], `the CUDA 12 wheels (${reqs.join(' ')})`);
  const dirs = new Set<string>();
  for (const w of readdirSync(dir).filter((f) => f.endsWith('.whl'))) {
    const libs = cudaLibMembers(await listMembers(o, join(dir, w)));
    if (!libs.length) continue;
    await extractMembers(o, join(dir, w), libs, out);
    for (const l of libs) dirs.add(dirname(l));
  }
  return [...dirs].sort();
}

function versionOf(wheel: string): string {
  return parseWheelName(wheel)?.version ?? TF_VERSION;
}

function sha256File(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** Replace `link` by a symlink to `target` atomically (a rename over the old one). */
function pointLink(link: string, target: string): boolean {
  try {
    const st = lstatSync(link);
    if (st.isSymbolicLink() && readlinkSync(link) === target) return false;
  } catch { /* absent */ }
  const tmp = `${link}.tmp-${process.pid}`;
  rmSync(tmp, { force: true, recursive: true });
  symlinkSync(target, tmp);
  try {
    if (existsSync(link) && !lstatSync(link).isSymbolicLink()) rmSync(link, { recursive: true, force: true });
  } catch { /* raced */ }
  renameSync(tmp, link);
  return true;
}

function copyAtomic(from: string, to: string): void {
  mkdirSync(dirname(to), { recursive: true });
  const tmp = `${to}.tmp-${process.pid}`;
  copyFileSync(from, tmp);
  renameSync(tmp, to);
}

export async function setupTensorflow(o: SetupOptions): Promise<SetupReport> {
  const t0 = performance.now();
  const steps: SetupReport['steps'] = [];
  const step = async (name: string, f: () => Promise<string>) => {
    const t = performance.now();
    o.log(`${name} ...`);
    const action = await f();
    const seconds = (performance.now() - t) / 1000;
    steps.push({ name, action, seconds });
    o.log(`${name}: ${action} (${seconds.toFixed(1)} s)`);
  };
  if (o.wheel) {
    if (!existsSync(o.wheel)) throw fail(`--wheel ${o.wheel}: no such file`, 'name a downloaded .whl file');
    const w = parseWheelName(o.wheel);
    if (!w) throw fail(`--wheel ${o.wheel}: not a wheel file name (project-version-python-abi-platform.whl)`, 'keep the name pip gave the file');
    const why = platformProblem(w, { platform: process.platform, arch: process.arch });
    if (why) throw fail(`no wheel for this platform: ${why}`, 'download the manylinux wheel for this machine');
  } else if (process.platform !== 'linux' || !['x64', 'arm64'].includes(process.arch)) {
    throw fail(`no wheel for this platform: normreg builds the TensorFlow binding on Linux x86_64/aarch64 (this is ${process.platform} ${process.arch})`, 'use --backend wasm (the committed reference)');
  }
  const tools = await checkTools(o);
  const version = o.wheel ? versionOf(o.wheel) : TF_VERSION;
  const entry = tfEntryDir(o.cacheRoot, o.variant, version);
  const manifestFile = join(entry, 'manifest.json');
  await step(`wheel -> ${entry}`, async () => (existsSync(manifestFile) ? 'cached' : buildEntry(o, entry)));
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as SetupManifest;

  const pkg = tfjsPackage(o.variant);
  const pkgDir = join(o.root, 'node_modules', pkg);
  await step(`${pkg}@${TFJS_NODE_VERSION}`, async () => {
    const have = existsSync(join(pkgDir, 'package.json')) ? (JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { version: string }).version : null;
    if (have === TFJS_NODE_VERSION) return 'installed';
    // --ignore-scripts: its install script would download libtensorflow 2.9.1 from an unreachable host
    const r = await execa('npm', ['install', '--no-save', '--ignore-scripts', '--no-audit', '--no-fund', `${pkg}@${TFJS_NODE_VERSION}`], { cwd: o.root, reject: false, all: true, stdin: 'ignore' });
    if (r.exitCode !== 0) throw fail(`npm install ${pkg}@${TFJS_NODE_VERSION} failed: ${String(r.all).trim().split('\n').slice(-3).join(' | ')}`, 'check npm\'s registry access (npm config get registry)');
    return have ? `installed (was ${have})` : 'installed';
  });

  const pkgJson = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { binary: { napi_versions: number[] } };
  const napi = napiBuildVersion(pkgJson.binary.napi_versions, Number(process.versions.napi));
  if (napi === null) throw fail(`this Node (N-API ${process.versions.napi}) is older than ${pkg} supports`, 'use Node 20 or newer');
  const key = bindingKey({ pkg, tfjsVersion: TFJS_NODE_VERSION, variant: o.variant, tfVersion: manifest.tfVersion, stripped: manifest.stripped, nodeModules: process.versions.modules, napi, platform: process.platform, arch: process.arch });
  const cached = join(o.cacheRoot, 'tensorflow', 'bindings', key, 'tfjs_binding.node');
  const target = join(pkgDir, 'lib', `napi-v${napi}`, 'tfjs_binding.node');
  await step('deps/ -> cache', async () => (pointLink(join(pkgDir, 'deps'), entry) ? 'linked' : 'already linked'));
  await step('binding', async () => {
    let built = false;
    if (!existsSync(cached)) {
      await buildBinding(pkgDir, entry, napi, tools, cached, o);
      built = true;
    }
    if (existsSync(target) && statSync(target).size === statSync(cached).size && sha256File(target) === sha256File(cached)) return built ? 'built' : 'cached, in place';
    copyAtomic(cached, target);
    return built ? 'built from source' : 'cached, copied in';
  });
  let probe: TensorflowProbe | undefined;
  await step('load in a child process', async () => {
    probe = await probeTensorflow(o.root, o.variant, manifest, entry);
    return `TensorFlow ${probe.tfVersion}, devices ${probe.devices.join(', ')}`;
  });
  return { variant: o.variant, entry, binding: relative(o.root, target), steps, probe: probe!, seconds: (performance.now() - t0) / 1000 };
}

/** node-gyp on a temp copy of the package's sources, its deps/ pointing at the cache entry. */
async function buildBinding(pkgDir: string, entry: string, napi: number, tools: { nodeDir: string; nodeGyp: string }, cached: string, o: SetupOptions): Promise<void> {
  mkdirSync(dirname(cached), { recursive: true });
  const work = mkdtempSync(join(dirname(dirname(cached)), 'build-'));
  try {
    const src = join(work, 'pkg');
    mkdirSync(src);
    for (const f of ['binding.gyp', 'binding', 'package.json']) cpSync(join(pkgDir, f), join(src, f), { recursive: true });
    symlinkSync(entry, join(src, 'deps'));
    const out = join(src, 'lib', `napi-v${napi}`);
    const r = await execa(process.execPath, [tools.nodeGyp, 'rebuild', `--nodedir=${tools.nodeDir}`, `--napi_build_version=${napi}`, '--module_name=tfjs_binding', `--module_path=${out}`, '--jobs=max'],
      { cwd: src, reject: false, all: true, stdin: 'ignore', env: { npm_config_nodedir: tools.nodeDir } });
    if (r.exitCode !== 0) {
      const text = String(r.all);
      const headers = /node_api\.h|common\.gypi|No such file.*include\/node/.test(text);
      throw fail(`building the binding failed: ${text.trim().split('\n').filter((l) => /error|Error/.test(l)).slice(0, 4).join(' | ') || text.trim().split('\n').slice(-4).join(' | ')}`,
        headers ? 'Node\'s headers are missing or incomplete: apt-get install libnode-dev, or set npm_config_nodedir' : `see the full log: cd ${src} && node ${tools.nodeGyp} rebuild --nodedir=${tools.nodeDir}`);
    }
    const built = [join(out, 'tfjs_binding.node'), join(src, 'build', 'Release', 'tfjs_binding.node')].find((f) => existsSync(f));
    if (!built) throw fail('node-gyp succeeded but produced no tfjs_binding.node', 'report this with the node-gyp output');
    copyAtomic(built, cached);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
