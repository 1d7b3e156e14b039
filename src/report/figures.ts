/** Figures of a study: curve figures declared in reports/figures.json, misclassified-digit grids, exact PNG compare. */
export { FigureError } from './figureError.js';
export {
  loadFigureConfig,
  selectResults,
  type CurveFigure,
} from './figureConfig.js';
export { renderCurveFigure, buildCurveSpec } from './figureCurves.js';
export { renderMisclassifiedFigure, buildMisclassifiedSvg } from './figureDigits.js';
export { comparePng } from './figureCompare.js';

