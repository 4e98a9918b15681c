import { Tracing } from '@bff/core';

export type IdpOperation = 'discovery' | 'jwks' | 'token' | 'refresh' | 'code-exchange' | 'token-exchange' | 'revocation';

/** A CLIENT span `idp <operation>` around one call to the identity provider (a no-op when tracing is off). */
export function traceIdp<T>(operation: IdpOperation, fn: () => Promise<T>): Promise<T> {
  if (!Tracing.enabled) return fn();
  return Tracing.trace(`idp ${operation}`, 'client', { 'bff.idp.operation': operation }, fn);
}
