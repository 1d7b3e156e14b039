/** Figures of a study: curve figures declared in reports/figures.json, misclassified-digit grids, exact PNG compare. */
export { FigureError, type FigureErrorCode, type FigureIssue } from './figureError.js';
export {
  loadFigureConfig,
  validateFigureConfig,
  selectResults,
  type CurveFigure,
  type ExperimentSelection,
  type FigureConfig,
  type MetricName,
  type MisclassifiedFigures,
} from './figureConfig.js';
export { renderCurveFigure, buildCurveSpec } from './figureCurves.js';
export { renderMisclassifiedFigure, buildMisclassifiedSvg } from './figureDigits.js';
export { comparePng, type PngComparison } from './figureCompare.js';
export { resolveFontFiles, type RenderOptions } from './figurePng.js';
