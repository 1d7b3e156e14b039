import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { tmpdir } from 'node:os';
import { codeFiles, codeHash } from '../../src/plan/codeHash.js';

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'normreg-codehash-'));
  for (const [f, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, f)), { recursive: true });
    writeFileSync(join(root, f), text);
  }
  return root;
}

test('code hash: contents only; a move within the set keeps it, a changed byte or a new file changes it', () => {
  const root = tree({
    'src/train/loop.ts': 'export const a = 1;\n',
    'src/train/model.ts': 'export const b = 2;\n',
    'src/engine/backend.ts': 'export const c = 3;\n',
    'src/spec/network.ts': 'export const d = 4;\n',
    'dist/kernels.wasm': '\0asm',
    'src/commands/reproduce.ts': 'outside the set\n',
  });
  try {
    const h0 = codeHash(root);
    assert.match(h0, /^[0-9a-f]{64}$/);
    renameSync(join(root, 'src/train/model.ts'), join(root, 'src/engine/model.ts'));
    assert.is(codeHash(root), h0, 'moved between folders of the set');
    mkdirSync(join(root, 'src/data'));
    renameSync(join(root, 'src/train/loop.ts'), join(root, 'src/data/renamed.ts'));
    assert.is(codeHash(root), h0, 'moved and renamed');
    writeFileSync(join(root, 'src/commands/reproduce.ts'), 'still outside the set\n');
    assert.is(codeHash(root), h0, 'a file outside the set');
    writeFileSync(join(root, 'src/engine/model.ts'), 'export const b = 3;\n');
    const h1 = codeHash(root);
    assert.is.not(h1, h0, 'one byte changed');
    writeFileSync(join(root, 'src/engine/model.ts'), 'export const b = 2;\n');
    assert.is(codeHash(root), h0, 'changed back');
    writeFileSync(join(root, 'src/train/extra.ts'), 'export {};\n');
    assert.is.not(codeHash(root), h0, 'a file added');
    rmSync(join(root, 'src/train/extra.ts'));
    renameSync(join(root, 'src/engine/model.ts'), join(root, 'src/commands/model.ts'));
    assert.is.not(codeHash(root), h0, 'moved out of the set');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('the real tree: the set holds the kernels module, the training sources and shape inference, not the commands', () => {
  const files = codeFiles().map((f) => f.split('\\').join('/'));
  for (const end of ['/dist/kernels.wasm', '/src/train/loop.ts', '/src/spec/network.ts', '/src/run/runSpec.ts', '/src/engine/assembly/norm.ts'])
    assert.ok(files.some((f) => f.endsWith(end)), end);
  assert.not.ok(files.some((f) => f.includes('/src/commands/')));
});

test.run();
