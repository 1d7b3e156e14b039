#!/usr/bin/env node
import { fileURLToPath } from 'node:url';
import { gpuLaunchEnv } from '../dist/setup/launch.js';
import { runCli } from '../dist/cli.js';

// TensorFlow-GPU needs the CUDA wheels' folders on LD_LIBRARY_PATH from process start: re-run once with them.
const extra = process.env.NORMREG_LAUNCHED ? null : gpuLaunchEnv(fileURLToPath(new URL('..', import.meta.url)), process.env);
if (extra) {
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)],
    { stdio: 'inherit', env: { ...process.env, ...extra, NORMREG_LAUNCHED: '1' } });
  process.on('SIGINT', () => {}); // the terminal delivers Ctrl-C to the child too; it stops cleanly
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 + 2 : 2)));
} else {
  await runCli(process.argv.slice(2));
}
