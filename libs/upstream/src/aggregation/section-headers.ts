import { ApiSuccessHeaders } from '@bff/core';

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

/**
 * Documents the section headers on the route's successful answers. Put it next to the handler that
 * calls `reply.headers(sectionHeaders(...))`.
 */
export const ApiSectionHeaders = (): MethodDecorator =>
  ApiSuccessHeaders({
    'X-Degraded-Sections': {
      description: 'Comma-separated optional sections missing from the answer (listed with their reason in meta.degraded).',
      schema: { type: 'string', pattern: '^[A-Za-z0-9_-]+(,[A-Za-z0-9_-]+)*$' },
    },
    'X-Stale-Sections': {
      description: 'Comma-separated sections served from a stale copy because their upstream failed.',
      schema: { type: 'string', pattern: '^[A-Za-z0-9_-]+(,[A-Za-z0-9_-]+)*$' },
    },
  });
