/** One writer per workspace: `results/.lock` is created exclusively and holds who owns it. A
 * second command waits for the owner (or, with --no-wait, refuses); a lock whose process is gone
 * (kill -9) is taken over. */
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { relative } from 'node:path';
import { RunError, problem } from '../errors.js';
import { lockPath, resultsRoot, type Workspace } from './paths.js';

interface LockOwner {
  pid: number;
  host: string;
  command: string;
  startedAt: string;
}


function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readOwner(path: string): LockOwner | null {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as LockOwner;
  } catch {
    return null; // being written right now, or gone
  }
}

function tryCreate(path: string, me: LockOwner): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
  try {
    writeSync(fd, JSON.stringify(me));
  } finally {
    closeSync(fd);
  }
  return true;
}

export interface LockOptions {
  wait: boolean;
  command: string;
  onWait?: (owner: LockOwner) => void;
  onStale?: (owner: LockOwner) => void;
  pollMs?: number;
}

/** Acquire the workspace lock; resolves to a release function. */
export async function acquireLock(ws: Workspace, o: LockOptions): Promise<() => void> {
  const path = lockPath(ws);
  mkdirSync(resultsRoot(ws), { recursive: true });
  const me: LockOwner = { pid: process.pid, host: hostname(), command: o.command, startedAt: new Date().toISOString() };
  let told = false;
  for (;;) {
    if (tryCreate(path, me)) break;
    const owner = readOwner(path);
    if (owner && owner.host === me.host && !alive(owner.pid)) {
      // the owner died without releasing (kill -9): move its lock aside atomically, then retry
      const aside = `${path}.stale.${process.pid}`;
      try {
        renameSync(path, aside);
        rmSync(aside, { force: true });
        o.onStale?.(owner);
      } catch {
        /* another process took it over first */
      }
      continue;
    }
    if (!o.wait) {
      const who = owner ? `normreg ${owner.command} (pid ${owner.pid} on ${owner.host}, since ${owner.startedAt})` : 'another normreg command';
      throw new RunError('RUN', [problem(relative(process.cwd(), path) || path, '', `the workspace is locked by ${who}`, 'wait for it to finish (drop --no-wait to wait automatically), or delete the lock file if that process is gone')]);
    }
    if (!told && owner) {
      o.onWait?.(owner);
      told = true;
    }
    await new Promise((r) => setTimeout(r, o.pollMs ?? 250));
  }
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    process.off('exit', release);
    const owner = readOwner(path);
    if (owner && owner.pid === me.pid && owner.startedAt === me.startedAt) rmSync(path, { force: true });
  };
  process.on('exit', release);
  return release;
}
