/** Typed errors. Each carries a code, the file and JSON pointer it is about, and how to fix it.
 * The CLI maps them to exit codes: 2 for usage/spec/file problems. */
import { isAbsolute, relative } from 'node:path';

export type ErrorCode =
  | 'USAGE'
  | 'SPEC_INVALID'
  | 'SPEC_DUPLICATE'
  | 'SPEC_NOT_FOUND'
  | 'DATASET'
  | 'GOLDEN_CORRUPT'
  | 'RESULT_CORRUPT'
  | 'RESULT_MISSING'
  | 'CLAIMS_INVALID'
  | 'SHARD_CORRUPT'
  | 'BACKEND'
  | 'RUN'
  | 'SETUP'
  | 'README_MARKERS'
  | 'FIGURE_CONFIG_READ'
  | 'FIGURE_CONFIG_JSON'
  | 'FIGURE_CONFIG_INVALID'
  | 'FIGURE_UNKNOWN_EXPERIMENT'
  | 'FIGURE_BAD_INPUT'
  | 'FIGURE_FONT_MISSING'
  | 'FIGURE_FONT_UNUSABLE'
  | 'DOCS_INVALID';

export interface Problem {
  file: string;
  pointer: string; // JSON pointer, '' for the whole document
  message: string;
  fix?: string;
}

export class NormregError extends Error {
  readonly code: ErrorCode;
  readonly problems: Problem[];
  constructor(code: ErrorCode, problems: Problem[], options?: { cause?: unknown }) {
    super(problems.map(formatProblem).join('\n'), options);
    this.name = new.target.name;
    this.code = code;
    this.problems = problems;
  }
}

export class UsageError extends NormregError {
  constructor(message: string, fix?: string) {
    super('USAGE', [{ file: '', pointer: '', message, fix }]);
  }
}
export class SpecError extends NormregError {}
export class DatasetError extends NormregError {}
export class GoldenError extends NormregError {}
export class ResultError extends NormregError {}
export class BackendError extends NormregError {}
export class RunError extends NormregError {}
/** claims.json and other report inputs */
export class ReportError extends NormregError {}
export class SetupError extends NormregError {}

export function formatProblem(p: Problem): string {
  const where = p.file ? `${p.file}${p.pointer ? ' ' + p.pointer : ''}: ` : p.pointer ? `${p.pointer}: ` : '';
  return `${where}${p.message}${p.fix ? ` (fix: ${p.fix})` : ''}`;
}

/** A file as errors name it: relative to the working directory when inside it, else absolute. */
export function displayPath(file: string): string {
  const r = relative(process.cwd(), file);
  return !r || r.startsWith('..') || isAbsolute(r) ? file : r;
}

export function problem(file: string, pointer: string, message: string, fix?: string): Problem {
  return { file, pointer, message, fix };
}
