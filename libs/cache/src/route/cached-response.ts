/** A computed route response as it is cached: the exact JSON text, its ETag and the headers to replay. */
export interface CachedResponse {
  readonly body: string;
  readonly etag: string;
  readonly headers: Record<string, string>;
}

/** Whether a cached value has the shape of a CachedResponse (anything else under a route key is not served). */
export function isCachedResponse(value: unknown): value is CachedResponse {
  const candidate = value as Partial<CachedResponse> | null;
  return (
    !!candidate &&
    typeof candidate.body === 'string' &&
    typeof candidate.etag === 'string' &&
    typeof candidate.headers === 'object' &&
    candidate.headers !== null
  );
}
