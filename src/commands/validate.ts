/** normreg validate and list: check spec files, their datasets and networks; list the experiments they declare. */
import { relative } from 'node:path';
import type { ResolvedSpec } from '../spec/types.js';
import { common, type Values } from './args.js';
import { checkData } from '../data/check.js';
import { groupsLabel } from '../report/rows.js';

export function cmdValidate(values: Values, files: string[]): number {
  const c = common(values, files);
  checkData(c.specs);
  const byFile = new Map<string, ResolvedSpec[]>();
  for (const s of c.specs) byFile.set(s.file, [...(byFile.get(s.file) ?? []), s]);
  for (const [file, runs] of byFile) process.stdout.write(`valid   ${relative(process.cwd(), file)} (${runs.length === 1 ? runs[0].name : `${runs.length} runs`})\n`);
  return 0;
}

export function cmdList(values: Values): number {
  const c = common(values);
  for (const s of c.specs) {
    const t = s.training;
    process.stdout.write(`${s.name.padEnd(18)} ${s.title.padEnd(26)} norm=${s.model.norm}${s.model.norm === 'group' ? `(${groupsLabel(s.model.groups)})` : ''} l1=${t.l1} l2=${t.weightDecay} epochs=${t.epochs} batch=${t.batchSize} seed=${s.seed}\n`);
  }
  return 0;
}
