/** Layers of src/, lowest first: a module may import its own folder and any folder of a lower
 * layer, never one of a higher layer nor another folder of its own layer. The data flows
 * spec -> plan -> run -> train/engine -> result -> verify -> report (docs/architecture.md); the
 * imports point the other way, from the steps that orchestrate down to the pieces they use. When a
 * rule blocks an import, move the shared piece down a layer instead of adding an exception. */
const LAYERS = [
  ['errors.ts', 'util'], //                  typed errors; small pure helpers (statistics, edit distance)
  ['jsonSchema.ts'], //                      JSON parsing and schema checking with pointers and fixes
  ['host', 'spec', 'engine'], //             the machine; what a spec says; the tensor engines
  ['data', 'result'], //                     datasets a spec names; what a run produces (shapes, bytes)
  ['train'], //                              the training computation
  ['workspace'], //                          every path, store, lock, run files of a workspace
  ['plan'], //                               what to run and why (fingerprints, decisions, estimate)
  ['run', 'report'], //                      execute a plan; tables, README, figures from payloads
  ['verify'], //                             results against goldens, figures, README
  ['shard', 'bench', 'setup', 'site'], //    split/merge plans; speed benchmarks; TensorFlow setup; the HTML report site
  ['pipeline', 'slurm'], //                  the steps strung together for reproduce, verify, merge; SLURM jobs
  ['commands'], //                           parse flags, call the core, print
  ['cli.ts'], //                             dispatch
];

const pattern = (m) => (m.endsWith('.ts') ? `src/${m.replace(/\./g, '\\.')}$` : `src/${m}/`);
const anyOf = (ms) => `^(${ms.map(pattern).join('|')})`;

const layerRules = LAYERS.flatMap((layer, i) => layer.map((m) => {
  const forbidden = [...layer.filter((p) => p !== m), ...LAYERS.slice(i + 1).flat()];
  return forbidden.length === 0 ? null : {
    name: `layer-${m.replace(/\.ts$/, '')}`,
    comment: `${m} (layer ${i}) may import only its own folder and the layers below it: ${LAYERS.slice(0, i).flat().join(', ') || 'nothing'}`,
    severity: 'error',
    from: { path: anyOf([m]) },
    to: { path: anyOf(forbidden) },
  };
}).filter(Boolean));

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'a circle of imports means no module of it can be read (or tested) before the others',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-orphans',
      comment: 'a module nothing imports is dead code, or an entry point to list here',
      severity: 'error',
      from: {
        orphan: true,
        // entry points: the CLI, worker threads and child scripts started by file name
        pathNot: ['\\.d\\.ts$', '^src/cli\\.ts$', '^src/engine/kernelWorker\\.ts$', '^src/engine/sharedHeap\\.ts$', '^src/setup/probeChild\\.ts$', '^src/engine/tensorflowProbeChild\\.ts$', '^src/engine/webgpuProbeChild\\.ts$', '^src/engine/assembly/'],
      },
      to: {},
    },
    {
      name: 'not-to-unresolvable',
      comment: 'an import that does not resolve fails at run time',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
    ...layerRules,
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^src/engine/assembly/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.js', '.json'] },
  },
};
