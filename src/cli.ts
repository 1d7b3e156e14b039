/** normreg command line: dispatches to src/commands/<name>.ts. Exit codes: 0 ok, 1 results
 * outside tolerance (or stale report), 2 usage / spec / file errors. */
import { NormregError, UsageError, formatProblem } from './errors.js';
import { parse } from './commands/args.js';
import { cmdReproduce } from './commands/reproduce.js';
import { cmdWorker } from './commands/worker.js';
import { cmdMerge } from './commands/merge.js';
import { cmdVerify } from './commands/verify.js';
import { cmdReport } from './commands/report.js';
import { cmdList, cmdValidate } from './commands/validate.js';
import { cmdSetup } from './commands/setup.js';

const HELP = `normreg: reproduce "Normalization and Regularization on MNIST" from declarative specs

Usage: normreg <command> [options]

Commands:
  validate [FILE...]      check spec files, their datasets and networks (default: specs/*.json); exit 0 valid, 2 invalid
  list                    list the experiments the specs declare
  reproduce               train, then verify against goldens, then regenerate the report
  verify                  compare stored results with goldens (no training); checks the generated docs are current
  report                  regenerate the tables in README.md and docs/*.md, and the figures, from results (or goldens)
  merge [DIR...]          combine the results of \`reproduce --shard\` runs (with the --only and
                          --seeds they were made with), then verify and report
  setup tensorflow        build TensorFlow's binding from a TensorFlow wheel (pip) for --backend tensorflow;
                          [--gpu] tensorflow-gpu (CUDA 12 wheels), [--wheel FILE], [--python P]
  backends [--json]       every backend on this machine: available or not and why, adapter or devices,
                          versions, threads, and what auto picks now
  bench                   training-speed benchmark (see docs/backends.md); --compare-pytorch [--python P]
                          [--rounds N] alternates with the study's PyTorch and prints ratios;
                          --engines wasm,tensorflow: each engine in its own process, one table

Options:
  --profile full|smoke|tiny  which profile (default full; tiny: 256 images, 1 epoch, for slow backends)
  --only NAME,...         restrict to these experiments (a spec, a sweep, one run, or a tag:
                          'table' = the study's seven rows)
  --seeds LIST            run every selected experiment under these seeds: 1,2,3 or 1-5
  --backend B             auto|tensorflow-gpu|tensorflow|webgpu|wasm|cpu (default auto: tensorflow-gpu
                          with a GPU, else webgpu on a hardware adapter, else wasm). webgpu takes a
                          hardware adapter; NORMREG_WEBGPU_ADAPTER=software asks for a software one
                          (SwiftShader: a CPU emulation, slow)
  --update none|new|all   golden update mode (default: none under CI=true, else new)
  --json                  (report) print the table rows as JSON
  --jobs N, -j N          (reproduce) parallel runs, one child process each (default: cores / threads per run)
  --threads 1|2|auto      (reproduce, bench) wasm kernel threads per run; results are the same bytes
                          either way (default auto: 2 when one run trains, else 1; bench: 2).
                          tensorflow backends: --threads N intra-op threads (default: all cores), part of
                          a run's environment (they change TensorFlow's bits); --inter-threads N (default 1)
  --force                 (reproduce) re-train even where the stored result is current
  --dry                   (reproduce) print the plan, its expected duration and why each run is
                          (not) re-run; train nothing
  --shard I/N             (reproduce) run only the I-th of N deterministic parts of the plan
  --no-wait               refuse instead of waiting when another command holds the workspace lock
  --specs DIR             spec directory (default: specs)
  -h, --help              this help

Exit codes: 0 success, 1 results outside tolerance, 2 usage/spec/file error.`;

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv);
  const [cmd, ...rest] = positionals;
  if (values.help || !cmd) {
    process.stdout.write(HELP + '\n');
    return cmd || values.help ? 0 : 2;
  }
  switch (cmd) {
    case 'validate': return cmdValidate(values, rest);
    case 'list': return cmdList(values);
    case 'reproduce': return cmdReproduce(values);
    case 'verify': return cmdVerify(values);
    case 'report': return cmdReport(values);
    case 'merge': return cmdMerge(values, rest);
    case 'worker': return cmdWorker(values);
    case 'setup': return cmdSetup(values, rest);
    case 'backends': {
      const { cmdBackends } = await import('./commands/backends.js');
      return cmdBackends(values);
    }
    case 'bench': return (await import('./commands/bench.js')).cmdBench(values);
    default:
      throw new UsageError(`unknown command '${cmd}'`, 'see `normreg --help`');
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
