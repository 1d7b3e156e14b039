/** normreg command line: dispatches to src/commands/<name>.ts. Exit codes: 0 ok, 1 results
 * outside tolerance (or stale report), 2 usage / spec / file errors. */
import { NormregError, UsageError, formatProblem } from './errors.js';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { parseCommandLine, withNames } from './commands/args.js';
import { COMMANDS } from './commands/table.js';
import { renderCommandHelp, renderGlobalHelp } from './commands/help.js';
import { cmdReproduce } from './commands/reproduce.js';
import { cmdWorker } from './commands/worker.js';
import { cmdMerge } from './commands/merge.js';
import { cmdVerify } from './commands/verify.js';
import { cmdReport } from './commands/report.js';
import { cmdList, cmdValidate } from './commands/validate.js';
import { cmdSetup } from './commands/setup.js';
import { cmdSlurm } from './commands/slurm.js';

/** normreg's version, from its package.json */
function version(): string {
  return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

/** -C DIR: run as if started in DIR (like git -C). */
function enterWorkspace(dir: string | undefined): void {
  if (dir === undefined) return;
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`-C ${dir}: no such folder`, 'name the workspace folder, the one that holds specs/');
  process.chdir(dir);
}

export async function main(argv: string[]): Promise<number> {
  const inv = parseCommandLine(argv);
  if (inv.kind === 'version') {
    process.stdout.write(`normreg ${version()}\n`);
    return 0;
  }
  if (inv.kind === 'help') {
    (inv.exitCode ? process.stderr : process.stdout).write((inv.command ? renderCommandHelp(inv.command) : renderGlobalHelp(version())) + '\n');
    return inv.exitCode;
  }
  const { command, positionals: rest } = inv;
  enterWorkspace(inv.values.workspace);
  const values = COMMANDS[command].positionals === 'names' ? withNames(inv.values, rest) : inv.values;
  switch (command) {
    case 'validate': return cmdValidate(values, rest);
    case 'list': return cmdList(values);
    case 'reproduce': return cmdReproduce(values);
    case 'verify': return cmdVerify(values);
    case 'report': return cmdReport(values);
    case 'merge': return cmdMerge(values, rest);
    case 'worker': return cmdWorker(values);
    case 'setup': return cmdSetup(values, rest);
    case 'slurm': return cmdSlurm(values, argv);
    case 'backends': return (await import('./commands/backends.js')).cmdBackends(values);
    default: return (await import('./commands/bench.js')).cmdBench(values);
  }
}

export async function runCli(argv: string[]): Promise<void> {
  let code: number;
  try {
    code = await main(argv);
  } catch (e) {
    if (e instanceof NormregError) {
      process.stderr.write(`normreg: ${e.problems.length > 1 ? `${e.problems.length} problems:\n  ` : ''}${e.problems.map(formatProblem).join('\n  ')}\n`);
      code = 2;
    } else {
      process.stderr.write(`normreg: internal error: ${(e as Error)?.stack ?? String(e)}\n`);
      code = 2;
    }
  }
  // tfjs-backend-wasm installs process-wide exception handlers; exit explicitly with our code.
  process.exitCode = code;
  process.exit(code);
}
