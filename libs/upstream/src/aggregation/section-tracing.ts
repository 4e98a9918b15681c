import { Tracing, type TraceSpan } from '@bff/core';

/**
 * The span of one aggregation section, `section <name>`: the attempts of its upstream calls are
 * its children. Undefined when tracing is off.
 */
export function startSectionSpan(name: string, required: boolean): TraceSpan | undefined {
  if (!Tracing.enabled) return undefined;
  return Tracing.start(`section ${name}`, 'internal', { 'bff.section': name, 'bff.section.required': required });
}

/**
 * Ends a failed section's span with status ERROR and the reason the response reports (timeout,
 * unavailable, dependency_failed...); `stale` when the last good value was served instead.
 */
export function endFailedSection(span: TraceSpan, error: unknown, reason: string, stale: boolean): void {
  span
    .setAttribute('bff.section.outcome', stale ? 'stale' : 'failed')
    .setAttribute('bff.section.stale', stale)
    .fail(error, reason)
    .end();
}
