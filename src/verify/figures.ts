/** Figures against golden PNGs (exact pixel comparison) and against the committed reports/ copies. */
import { existsSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { comparePng } from '../report/figures.js';
import type { DrawnFigure } from '../report/drawFigures.js';
import { decideGoldenAction, type UpdateMode } from './update.js';
import { writeFileAtomic } from '../workspace/store.js';
import { figureDiffPath, goldenFigurePath, reportFigurePath } from '../workspace/paths.js';

export type FigureVerdict =
  | { file: string; status: 'pass' | 'written' | 'missing-golden'; golden: string }
  | { file: string; status: 'fail'; golden: string; diffPixels: number; sizeMismatch: boolean; diffImage: string | null };


export function verifyFigures(root: string, profile: string, backend: string, drawn: DrawnFigure[], mode: UpdateMode): FigureVerdict[] {
  return drawn.map((f) => {
    const gp = goldenFigurePath(root, profile, backend, f.file);
    const golden = relative(root, gp);
    const action = decideGoldenAction(mode, existsSync(gp));
    if (action === 'missing') return { file: f.file, status: 'missing-golden', golden };
    if (action === 'write') {
      writeFileAtomic(gp, f.png);
      return { file: f.file, status: 'written', golden };
    }
    const expected = readFileSync(gp);
    if (expected.equals(f.png)) return { file: f.file, status: 'pass', golden };
    const cmp = comparePng(f.png, expected);
    if (cmp.equal) return { file: f.file, status: 'pass', golden };
    let diffImage: string | null = null;
    if (cmp.diffPng) {
      const dp = figureDiffPath(root, profile, f.file);
      writeFileAtomic(dp, cmp.diffPng);
      diffImage = relative(root, dp);
    }
    return { file: f.file, status: 'fail', golden, diffPixels: cmp.diffPixels, sizeMismatch: cmp.sizeMismatch, diffImage };
  });
}

/** reports/<profile>/ copies that differ from what the results draw. */
export function staleReportFigures(root: string, profile: string, drawn: DrawnFigure[]): string[] {
  return drawn
    .filter((f) => {
      const p = reportFigurePath(root, profile, f.file);
      return !existsSync(p) || !readFileSync(p).equals(f.png);
    })
    .map((f) => relative(root, reportFigurePath(root, profile, f.file)));
}

export function writeReportFigures(root: string, profile: string, drawn: DrawnFigure[]): number {
  let changed = 0;
  for (const f of drawn) if (writeFileAtomic(reportFigurePath(root, profile, f.file), f.png)) changed++;
  return changed;
}
