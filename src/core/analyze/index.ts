// The analysis step of the pipeline: growth over time (when sampled) and the findings with their
// evidence and remedies. Pure: a Report (and optionally its series) in, a new Report out.
import type { Report } from '../model/report';
import { analyzeGrowth, type GrowthOptions } from './growth';
import { analyzeFindings } from './findings';
import { seriesFromSamples, type SeriesSet } from './series';

export { analyzeGrowth, analyzeSystemTrend, cgroupHeadroomKb, systemHeadroomKb } from './growth';
export type { GrowthDetail, GrowthOptions, GrowthBasis, SystemTrend } from './growth';
export { seriesFromReports, seriesFromSamples, segmentsOf } from './series';
export type { ProcessSeries, SeriesSet, SystemSeries, Gap } from './series';
export { analyzeFindings, runFindings, RULES, FINDING_IDS } from './findings';
export type { FindingContext, FindingsResult, Rule } from './findings';
export { theilSen, median } from './stats';

export interface AnalyzeOptions {
  /** Sampled series; default: derived from report.samples when present. */
  series?: SeriesSet;
  growth?: GrowthOptions;
  /** "Now" for projections, epoch ms (default report.takenAt). */
  now?: number;
}

/**
 * Fills report.growth (from the series, when there are any; otherwise keeps what the report has)
 * and report.findings; rule failures are appended to report.warnings. Returns a new Report.
 */
export function analyzeReport(report: Report, opts: AnalyzeOptions = {}): Report {
  const series = opts.series ?? (report.samples ? seriesFromSamples(report.samples, report) : undefined);
  const growth = series ? analyzeGrowth(series.processes, series.system, { cgroups: series.cgroups ?? report.cgroups, ...opts.growth }) : (report.growth ?? []);
  const withGrowth: Report = { ...report, growth };
  const { findings, warnings } = analyzeFindings({ report: withGrowth, now: opts.now, system: series?.system });
  return { ...withGrowth, findings, warnings: [...(report.warnings ?? []), ...warnings] };
}
