/** Help text, derived from the command and flag tables. Pure. */
import { COMMANDS, FLAGS, GLOBAL_FLAGS, type FlagName } from './table.js';

const EXIT_CODES = 'Exit codes: 0 success, 1 results outside tolerance (or stale docs), 2 usage/spec/file error.';

function flagLine(name: FlagName): string {
  const f = FLAGS[name] as { type: string; short?: string; arg?: string; help: string };
  const left = `--${name}${f.arg ? ` ${f.arg}` : ''}${f.short ? `, -${f.short}${f.arg ? ` ${f.arg}` : ''}` : ''}`;
  return `  ${left.padEnd(24)} ${f.help}`;
}

export function renderGlobalHelp(version: string): string {
  const cmds = Object.entries(COMMANDS).filter(([, c]) => !c.hidden);
  return [
    `normreg ${version}: reproduce "Normalization and Regularization on MNIST" from declarative specs`,
    '',
    'Usage: normreg <command> [options]',
    '',
    'Commands:',
    ...cmds.map(([name, c]) => `  ${`${name} ${c.args}`.trimEnd().padEnd(24)} ${c.summary}`),
    '',
    'Options of every command:',
    ...GLOBAL_FLAGS.map(flagLine),
    flagLine('version'),
    '',
    "Each command's own options: normreg <command> --help, or normreg help <command>.",
    EXIT_CODES,
  ].join('\n');
}

export function renderCommandHelp(name: string): string {
  const c = COMMANDS[name];
  const flags = [...c.flags, ...GLOBAL_FLAGS];
  return [
    `Usage: normreg ${name}${c.args ? ` ${c.args}` : ''}${c.flags.length ? ' [options]' : ''}`,
    '',
    c.summary,
    '',
    'Options:',
    ...flags.map(flagLine),
    ...(c.notes?.length ? ['', ...c.notes] : []),
    '',
    EXIT_CODES,
  ].join('\n');
}
