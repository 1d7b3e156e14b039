/** A sweep's table beside the study's published values: deltas, runs more than FLAG_PP away
 * flagged, and a summary line (how many are flagged, the mean delta: a systematic miss shows
 * there). Pure. */
import { delta, fmt } from './format.js';
import { mean } from '../util/stats.js';
import type { TableRow } from './rows.js';

/** |Δ| above this (percentage points, train or test accuracy) is flagged */
const FLAG_PP = 0.3;

interface StudyPair { kind: 'final' | 'best'; train?: number; test?: number }

/** Study values of a sweep row: the last epoch's where the study reported those (final*), else the best. */
export function studyPair(r: TableRow): StudyPair {
  const ref = r.reference;
  if (ref.finalTestAcc !== undefined || ref.finalTrainAcc !== undefined) return { kind: 'final', train: ref.finalTrainAcc, test: ref.finalTestAcc };
  return { kind: 'best', train: ref.bestTrainAcc, test: ref.bestTestAcc };
}

export interface SweepDelta { train: number | null; test: number | null; flagged: ('train' | 'test')[] }

/** This row's values minus the study's, compared like for like (final with final, best with best). */
export function sweepDelta(r: TableRow): SweepDelta {
  const st = studyPair(r);
  const [tr, te] = st.kind === 'final' ? [r.values.finalTrainAcc, r.values.finalTestAcc] : [r.values.bestTrainAcc, r.values.bestTestAcc];
  const train = st.train === undefined ? null : tr - st.train;
  const test = st.test === undefined ? null : te - st.test;
  const flagged: ('train' | 'test')[] = [];
  if (train !== null && Math.abs(train) > FLAG_PP) flagged.push('train');
  if (test !== null && Math.abs(test) > FLAG_PP) flagged.push('test');
  return { train, test, flagged };
}

const pp = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(2)} pp`;

export function sweepSummary(rows: TableRow[]): string {
  const ds = rows.map(sweepDelta).filter((d) => d.train !== null || d.test !== null);
  if (ds.length === 0) return `No published value for any of these runs.`;
  const kind = rows.some((r) => studyPair(r).kind === 'final') ? 'last-epoch' : 'best';
  const trains = ds.flatMap((d) => (d.train === null ? [] : [d.train]));
  const tests = ds.flatMap((d) => (d.test === null ? [] : [d.test]));
  const flagged = ds.filter((d) => d.flagged.length).length;
  return `Compared with the study's ${kind} train / test accuracy on ${ds.length} run(s) with a published value: ` +
    `${flagged} more than ${FLAG_PP} pp away (flagged); mean Δ train ${trains.length ? pp(mean(trains)) : '–'}, mean Δ test ${tests.length ? pp(mean(tests)) : '–'}.`;
}

export function renderSweep(rows: TableRow[], declared: number): string[] {
  const first = rows[0];
  const axes = first.sweep!.axes.map(([a]) => a);
  const lines = [
    `**Sweep \`${first.sweep!.name}\`: ${first.sweep!.title}** (${rows.length === declared ? `${declared} runs` : `${rows.length} of ${declared} runs`}; ${first.epochs} epochs, ${first.trainSize} train / ${first.testSize} test images)`,
    '',
    `| ${axes.join(' | ')} | Best train acc | Best test acc | Best test loss | Final train acc | Final test acc | Study train / test | Δ train | Δ test | > ${FLAG_PP} pp |`,
    `|${axes.map(() => '---:').join('|')}|---:|---:|---:|---:|---:|---:|---:|---:|---|`,
  ];
  for (const r of rows) {
    const st = studyPair(r);
    const d = sweepDelta(r);
    const study = st.test === undefined && st.train === undefined ? '–' : `${st.train?.toFixed(2) ?? '–'} / ${st.test?.toFixed(2) ?? '–'}${st.kind === 'final' ? ' (final)' : ''}`;
    const flag = d.flagged.length ? `**${d.flagged.join(', ')}**` : d.train === null && d.test === null ? '–' : '';
    lines.push(`| ${r.sweep!.axes.map(([, v]) => String(v)).join(' | ')} | ${fmt(r, 'bestTrainAcc')} | ${fmt(r, 'bestTestAcc')} | ${fmt(r, 'bestTestLoss')} | ${fmt(r, 'finalTrainAcc')} | ${fmt(r, 'finalTestAcc')} | ${study} | ${d.train === null ? '–' : delta(d.train, 0, 2)} | ${d.test === null ? '–' : delta(d.test, 0, 2)} | ${flag} |`);
  }
  lines.push('', sweepSummary(rows));
  return lines;
}
