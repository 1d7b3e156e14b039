/** The command line parser and the help, both derived from the command and flag tables. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseCommandLine } from '../../src/commands/args.js';
import { renderCommandHelp, renderGlobalHelp } from '../../src/commands/help.js';
import { COMMANDS, FLAGS } from '../../src/commands/table.js';
import { NormregError } from '../../src/errors.js';

function refusal(argv: string[]): string {
  try {
    parseCommandLine(argv);
  } catch (e) {
    assert.instance(e, NormregError);
    assert.is((e as NormregError).code, 'USAGE');
    const p = (e as NormregError).problems[0];
    return `${p.message} | ${p.fix}`;
  }
  throw new assert.Assertion({ message: `accepted: ${argv.join(' ')}` } as never);
}

test('a command with its flags and arguments', () => {
  const r = parseCommandLine(['reproduce', 'batchnorm', '--profile', 'smoke', '-j', '2', '--dry']);
  assert.equal(r, { kind: 'run', command: 'reproduce', values: { profile: 'smoke', jobs: '2', dry: true }, positionals: ['batchnorm'] });
});

test('help, help COMMAND, COMMAND --help, --version, no command', () => {
  assert.equal(parseCommandLine(['--help']), { kind: 'help', exitCode: 0 });
  assert.equal(parseCommandLine([]), { kind: 'help', exitCode: 2 });
  assert.equal(parseCommandLine(['verify', '--help']), { kind: 'help', command: 'verify', exitCode: 0 });
  assert.equal(parseCommandLine(['help', 'verify']), { kind: 'help', command: 'verify', exitCode: 0 });
  assert.equal(parseCommandLine(['help']), { kind: 'help', command: undefined, exitCode: 0 });
  assert.equal(parseCommandLine(['--version']), { kind: 'version' });
});

test('refusals name the command or flag, with a did-you-mean where one is near', () => {
  const cases: [string[], string][] = [
    [['reproduse'], "unknown command 'reproduse' | did you mean 'reproduce'?"],
    [['help', 'verfy'], "help: unknown command 'verfy' | did you mean 'verify'?"],
    [['reproduce', '--forse'], "reproduce: unknown option '--forse' | did you mean '--force'?"],
    [['reproduce', '--bogus'], "reproduce: unknown option '--bogus' | normreg reproduce --help lists what it takes"],
    [['validate', '--jobs', '3', '--force'], 'validate does not take --jobs | it takes --profile, --only, --seeds, --specs'],
    [['verify', '--dry'], 'verify does not take --dry'],
    [['list', '--only'], 'list: --only needs a value | write --only NAME,...'],
    [['reproduce', '--only', '--dry'], "reproduce: --only needs a value, but the next argument is '--dry'"],
    [['reproduce', '--dry=yes'], "reproduce: --dry takes no value (got '--dry=yes')"],
    [['reproduce', '--only', 'a', '--only', 'b'], 'reproduce: --only is given twice'],
    [['bench', 'extra'], "bench takes no arguments (got 'extra')"],
    [['help', 'a', 'b'], 'help takes one command'],
  ];
  for (const [argv, text] of cases) assert.ok(refusal(argv).includes(text), `${argv.join(' ')} -> ${refusal(argv)}`);
  assert.not.ok(refusal(['reproduce', '--bogus']).includes('"'), 'no raw parser text');
});

test("every command's help lists exactly the flags it takes, and the global help every visible command", () => {
  const global = renderGlobalHelp('1.2.3');
  assert.match(global, 'normreg 1.2.3');
  for (const [name, c] of Object.entries(COMMANDS)) {
    if (!c.hidden) assert.match(global, `\n  ${name} `);
    const help = renderCommandHelp(name);
    assert.match(help, `Usage: normreg ${name}`);
    for (const f of Object.keys(FLAGS)) {
      const listed = help.includes(`\n  --${f} `) || help.includes(`\n  --${f}\n`) || new RegExp(`\\n  --${f}( |,)`).test(help);
      assert.is(listed, (c.flags as readonly string[]).includes(f) || f === 'help' || f === 'workspace', `${name} --${f}`);
    }
  }
  assert.match(renderCommandHelp('reproduce'), 'NAME... selects like --only NAME,...');
});

test.run();
