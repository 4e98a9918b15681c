/** Response header listing optional sections that are missing from the body. */
export const DEGRADED_HEADER = 'x-degraded-sections';
/** Response header listing sections served from their last good value (stale-if-error). */
export const STALE_HEADER = 'x-stale-sections';
/** Token under which a SectionFallbackStore may be provided (libs/cache does). */
export const SECTION_FALLBACK = Symbol('SECTION_FALLBACK');
