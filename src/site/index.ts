/** The report site: one self-contained HTML page per profile (reports/<profile>/site/index.html). */
export { writeSite, renderSite, renderSiteSummary, siteDir, type SiteOutcome } from './write.js';
export { buildSiteModel, type SiteModel } from './model.js';
export { loadSiteInputs } from './inputs.js';
export { buildCharts } from './charts.js';
export { renderSiteHtml, stableJson } from './html.js';
