/** The error type of the figure code: what went wrong, where (file + JSON pointer), and the fix. */
import { NormregError, type ErrorCode } from '../errors.js';

export type FigureErrorCode = Extract<ErrorCode, `FIGURE_${string}`>;

export interface FigureIssue {
  /** JSON pointer into `file` ('' for the whole document or when there is no document) */
  pointer: string;
  message: string;
  fix: string;
}

/** A NormregError (exit 2, one line per issue) that also keeps the figure code's own fields. */
export class FigureError extends NormregError {
  declare readonly code: FigureErrorCode;
  /** the config, font or figure the error is about; null when there is no file */
  readonly file: string | null;
  /** pointer and fix of the first issue; `issues` holds them all */
  readonly pointer: string;
  readonly fix: string;
  readonly issues: FigureIssue[];

  constructor(code: FigureErrorCode, file: string | null, issues: FigureIssue[], options?: { cause?: unknown }) {
    super(code, issues.map((issue) => ({ file: file ?? '', ...issue })), options);
    this.file = file;
    this.issues = issues;
    this.pointer = issues[0]?.pointer ?? '';
    this.fix = issues[0]?.fix ?? '';
  }
}
