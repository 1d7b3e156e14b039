/** The command line as data: every flag (its kind of value and its help) and every command (what
 * it takes: flags, positional arguments). Help and the refusal of a flag or argument a command
 * does not take are derived from these two tables only. */

export interface FlagDecl {
  type: 'string' | 'boolean';
  /** may be given several times; the command sees the list */
  multiple?: boolean;
  short?: string;
  /** how the value is written in help (string flags) */
  arg?: string;
  help: string;
}

export const FLAGS = {
  profile: { type: 'string', arg: 'full|smoke|tiny', help: 'which profile (default full; tiny: 256 images, 1 epoch, for slow backends)' },
  only: { type: 'string', arg: 'NAME,...', help: "restrict to these experiments: a spec, a sweep, one run, a tag ('table' = the study's seven rows) or 'pending' (runs without a golden)" },
  seeds: { type: 'string', arg: 'LIST', help: 'run every selected experiment under these seeds (integers >= 0): 1,2,3 or 1-5' },
  backend: { type: 'string', arg: 'B', help: 'auto|tensorflow-gpu|tensorflow|webgpu|wasm|cpu (default auto: tensorflow-gpu with a GPU, else webgpu on a hardware adapter, else wasm); picks whose results are read and written. webgpu takes a hardware adapter; NORMREG_WEBGPU_ADAPTER=software asks for a software one (SwiftShader: a CPU emulation, slow)' },
  update: { type: 'string', arg: 'none|new|all', help: 'golden update mode (default: none under CI=true, else new; verify: none)' },
  specs: { type: 'string', arg: 'DIR', help: 'spec directory (default: specs)' },
  json: { type: 'boolean', help: 'print the result as JSON' },
  jobs: { type: 'string', short: 'j', arg: 'N', help: 'parallel runs, one child process each (default: cores / threads per run)' },
  threads: { type: 'string', arg: '1|2|auto', help: 'wasm kernel threads per run (the same bytes either way; default auto); tensorflow: intra-op threads (default: all cores)' },
  'inter-threads': { type: 'string', arg: 'N', help: "tensorflow's inter-op threads (default 1)" },
  force: { type: 'boolean', help: 're-train even where the stored result is current' },
  dry: { type: 'boolean', help: 'print the plan, its expected duration and why each run is (not) re-run; train nothing' },
  shard: { type: 'string', arg: 'I/N|auto|auto/N', help: 'run only the I-th of N parts of the plan (balanced by training images; copies stay with their source); auto: from a SLURM array (SLURM_ARRAY_TASK_ID/_MIN/_COUNT); auto/N: the same checked against N, or a Kubernetes Indexed Job\'s JOB_COMPLETION_INDEX (0-based) of N' },
  shards: { type: 'string', arg: 'N', help: 'how many array tasks (shards) to split the selection into' },
  partition: { type: 'string', arg: 'P', help: "sbatch's --partition" },
  time: { type: 'string', arg: 'T', help: "sbatch's --time per array task, as minutes or [D-]HH:MM[:SS] (default: the longest shard's estimate × 1.5 + 5 min)" },
  'cpus-per-task': { type: 'string', arg: 'C', help: "sbatch's --cpus-per-task, also the runs each task trains side by side (default 1)" },
  'sbatch-arg': { type: 'string', multiple: true, arg: 'ARG', help: 'one more sbatch option, e.g. --sbatch-arg=--mem=4G (repeatable)' },
  wait: { type: 'boolean', help: 'follow the jobs to the end and exit with their verdict' },
  'poll-ms': { type: 'string', arg: 'MS', help: 'how often --wait polls squeue (default 5000)' },
  'no-wait': { type: 'boolean', help: 'refuse instead of waiting when another command holds the workspace lock' },
  gpu: { type: 'boolean', help: 'tensorflow-gpu (CUDA 12 wheels)' },
  wheel: { type: 'string', arg: 'FILE', help: 'a TensorFlow wheel already downloaded' },
  python: { type: 'string', arg: 'P', help: 'the python to use (default python3)' },
  'compare-pytorch': { type: 'boolean', help: "alternate with the study's PyTorch and print ratios" },
  rounds: { type: 'string', arg: 'N', help: 'rounds of the comparison (default 3)' },
  engines: { type: 'string', arg: 'E,...', help: 'several engines (wasm,tensorflow,...), each in its own process, one table' },
  norms: { type: 'string', arg: 'N,...', help: 'batch,layer,group (default all)' },
  modes: { type: 'string', arg: 'M,...', help: 'step,epoch (default both; with --engines: step)' },
  steps: { type: 'string', arg: 'N', help: 'training steps measured (default 60)' },
  'epoch-images': { type: 'string', arg: 'N', help: 'images of a measured epoch (default 60000)' },
  step: { type: 'string', arg: 'PATH', help: "wasm's training step: compiled (default) or ops (every op through tfjs; the same bytes); --engines takes wasm-ops for the latter" },
  workspace: { type: 'string', short: 'C', arg: 'DIR', help: 'run as if started in DIR (like git -C): the workspace holding specs/, results/, golden/; paths in other flags are then relative to DIR' },
  help: { type: 'boolean', short: 'h', help: 'this help' },
  version: { type: 'boolean', help: "normreg's version" },
} as const satisfies Record<string, FlagDecl>;

export type FlagName = keyof typeof FLAGS;

/** What a command's positional arguments mean: nothing (refused), experiment names (as --only;
 * a spec file stands for its spec), spec files, shard folders, or one target word. */
type Positionals = 'none' | 'names' | 'files' | 'dirs' | 'target';

export interface CommandDecl {
  args: string;
  summary: string;
  positionals: Positionals;
  flags: readonly FlagName[];
  /** lines after the flags in the command's own help */
  notes?: readonly string[];
  /** internal: left out of the global help */
  hidden?: boolean;
}

const SELECT = ['profile', 'only', 'seeds', 'specs'] as const;
const NAMES_NOTE = 'NAME... selects like --only NAME,... (a spec file such as specs/batchnorm.json stands for its spec)';

export const COMMANDS: Record<string, CommandDecl> = {
  validate: { args: '[FILE...]', summary: 'check spec files, their datasets and networks (default: every spec in --specs); exit 0 valid, 2 invalid', positionals: 'files', flags: SELECT },
  list: { args: '[NAME...]', summary: 'list the experiments the specs declare', positionals: 'names', flags: SELECT, notes: [NAMES_NOTE] },
  reproduce: {
    args: '[NAME...]', summary: 'train, then verify against goldens, then regenerate the report', positionals: 'names',
    flags: [...SELECT, 'backend', 'update', 'jobs', 'threads', 'inter-threads', 'force', 'dry', 'shard', 'no-wait'],
    notes: [NAMES_NOTE, 'example: normreg reproduce batchnorm --profile smoke --dry'],
  },
  verify: {
    args: '[NAME...]', summary: 'compare stored results with goldens (no training); check the generated docs are current', positionals: 'names',
    flags: [...SELECT, 'backend', 'update', 'no-wait'],
    notes: [NAMES_NOTE, 'exit 0: every result compared matches (a run without a result is not compared); 1: a difference or stale docs;', '2: a usage or file error, or a selection that selects no result and no golden'],
  },
  report: {
    args: '[NAME...]', summary: 'regenerate the tables in README.md and docs/*.md, and the figures, from results (or goldens)', positionals: 'names',
    flags: [...SELECT, 'backend', 'json', 'no-wait'], notes: [NAMES_NOTE],
  },
  merge: {
    args: '[DIR...]', summary: 'combine the results of `reproduce --shard` runs, then verify and report', positionals: 'dirs',
    flags: [...SELECT, 'backend', 'update', 'no-wait'], notes: ['--only and --seeds: the selection the shards were made with (read from their manifests when not given)'],
  },
  setup: {
    args: 'tensorflow', summary: "build TensorFlow's binding from a TensorFlow wheel (pip) for --backend tensorflow", positionals: 'target',
    flags: ['gpu', 'wheel', 'python', 'json'],
  },
  bench: {
    args: '', summary: 'training-speed benchmark (see docs/backends.md)', positionals: 'none',
    flags: ['backend', 'threads', 'inter-threads', 'compare-pytorch', 'python', 'rounds', 'engines', 'norms', 'modes', 'steps', 'epoch-images', 'step', 'json'],
  },
  slurm: {
    args: '--shards N', summary: 'submit the selection to SLURM: an array job (one task per shard) and an afterok job that merges, verifies and reports (docs/cluster.md)', positionals: 'none',
    flags: [...SELECT, 'backend', 'shards', 'partition', 'time', 'cpus-per-task', 'sbatch-arg', 'dry', 'wait', 'poll-ms'],
    notes: ['--dry prints the batch scripts and what each shard trains, and submits nothing', 'example: normreg slurm --profile full --shards 12 --partition cpu --wait'],
  },
  backends: { args: '', summary: 'every backend on this machine: available or not and why, adapter or devices, versions, threads, and what auto picks now', positionals: 'none', flags: ['json'] },
  help: { args: '[COMMAND]', summary: "a command's own help", positionals: 'target', flags: [] },
  worker: { args: '', summary: 'one run in a child process of `reproduce --jobs`', positionals: 'none', flags: [...SELECT, 'backend', 'threads', 'inter-threads', 'force'], hidden: true },
};

/** Flags every command takes. */
export const GLOBAL_FLAGS: readonly FlagName[] = ['workspace', 'help'];
