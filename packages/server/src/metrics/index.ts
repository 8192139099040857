// Public door of ftserver's metrics (Prometheus text format).
export { ServerMetrics, type MetricsSources } from './servermetrics.js';
export { ExporterTotals } from './exportertotals.js';
