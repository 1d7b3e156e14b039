/** The report site: one self-contained HTML page per profile (reports/<profile>/site/index.html
 * from the goldens; results/site/<profile>/index.html with local results and verify's verdicts). */
export { buildSite, writeSite, renderSite, renderSiteSummary } from './write.js';
export { buildSiteModel } from './model.js';
export { loadSiteInputs } from './inputs.js';
