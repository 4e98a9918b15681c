import type { IncomingHttpHeaders } from 'node:http';

/** W3C trace-context `traceparent`: version-traceid-parentid-flags, lowercase hex. */
const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;
const MAX_TRACESTATE = 512;

/**
 * Picks the inbound headers that are always forwarded to upstreams (trace context and the
 * caller's language), keeping only well-formed values. The language is the one negotiated against the
 * app's languages, never the client's raw header. The request id and Authorization are
 * handled separately: the first always, the second only for token-relay upstreams.
 */
export function pickPropagatedHeaders(headers: IncomingHttpHeaders, language: string): Record<string, string> {
  const out: Record<string, string> = {};
  const traceparent = headers.traceparent;
  if (typeof traceparent === 'string' && TRACEPARENT.test(traceparent)) {
    out.traceparent = traceparent;
    const tracestate = headers.tracestate;
    if (typeof tracestate === 'string' && tracestate.length <= MAX_TRACESTATE) out.tracestate = tracestate;
  }
  out['accept-language'] = language;
  return out;
}
