import { DEGRADED_HEADER, STALE_HEADER } from './aggregation.constants.js';
import type { DegradedSection } from './aggregation.types.js';

/** The sections an aggregated response reports: an AggregationResult, or the `meta` of a response built from one. */
export interface SectionReport {
  readonly degraded: readonly DegradedSection[];
  readonly stale?: readonly DegradedSection[];
}

/**
 * The response headers listing an aggregated response's degraded and stale sections
 * (X-Degraded-Sections, X-Stale-Sections; none when every section was served fresh). The
 * controller puts them on its reply: `reply.headers(sectionHeaders(page.meta))`.
 */
export function sectionHeaders(report: SectionReport): Record<string, string> {
  const headers: Record<string, string> = {};
  if (report.degraded.length) headers[DEGRADED_HEADER] = report.degraded.map((entry) => entry.section).join(',');
  if (report.stale?.length) headers[STALE_HEADER] = report.stale.map((entry) => entry.section).join(',');
  return headers;
}
