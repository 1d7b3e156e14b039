/** The error type of the figure code: what went wrong, where (file + JSON pointer), and the fix. */
import { formatProblem } from '../errors.js';

export type FigureErrorCode =
  | 'FIGURE_CONFIG_READ'
  | 'FIGURE_CONFIG_JSON'
  | 'FIGURE_CONFIG_INVALID'
  | 'FIGURE_UNKNOWN_EXPERIMENT'
  | 'FIGURE_BAD_INPUT'
  | 'FIGURE_FONT_MISSING'
  | 'FIGURE_FONT_UNUSABLE';

export interface FigureIssue {
  /** JSON pointer into `file` ('' for the whole document or when there is no document) */
  pointer: string;
  message: string;
  fix: string;
}

export class FigureError extends Error {
  readonly code: FigureErrorCode;
  /** the config, font or figure the error is about; null when there is no file */
  readonly file: string | null;
  /** pointer and fix of the first issue; `issues` holds them all */
  readonly pointer: string;
  readonly fix: string;
  readonly issues: FigureIssue[];

  constructor(code: FigureErrorCode, file: string | null, issues: FigureIssue[], options?: { cause?: unknown }) {
    // one line per issue, in the same words as the other NormregError messages
    super(issues.map((issue) => formatProblem({ file: file ?? '', ...issue })).join('\n'), options);
    this.name = 'FigureError';
    this.code = code;
    this.file = file;
    this.issues = issues;
    this.pointer = issues[0]?.pointer ?? '';
    this.fix = issues[0]?.fix ?? '';
  }
}
