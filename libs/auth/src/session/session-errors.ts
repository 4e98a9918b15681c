import { PlatformError, type ProblemCode } from '@bff/core';

const SESSION_ENDED_DETAIL = 'Your session has ended. Sign in again.';

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** 401 SESSION_EXPIRED: the browser must sign in again. */
export function sessionEnded(reason: string): PlatformError {
  return new PlatformError('unauthorized', 'SESSION_EXPIRED', `Session ended: ${reason}`, {
    publicDetail: SESSION_ENDED_DETAIL,
    context: { reason },
  });
}

export function providerUnavailable(error: unknown): PlatformError {
  return new PlatformError('unavailable', 'AUTH_PROVIDER_UNAVAILABLE', `Identity provider unavailable: ${errorMessage(error)}`, {
    publicDetail: 'Sign-in is unavailable right now. Retry shortly.',
    retryAfterSeconds: 5,
    cause: error,
  });
}

export function loginProblem(code: ProblemCode, message: string, extensions?: Record<string, unknown>, cause?: unknown): PlatformError {
  return new PlatformError('bad_request', code, message, {
    publicDetail: 'The sign-in could not be completed. Start it again.',
    extensions,
    cause,
  });
}

/** Runs a session store call; store failures are a 503, never "no session". */
export async function storeCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw new PlatformError('unavailable', 'SESSION_STORE_UNAVAILABLE', `Session store failed: ${errorMessage(error)}`, {
      publicDetail: 'Sessions are unavailable right now. Retry shortly.',
      retryAfterSeconds: 2,
      cause: error,
    });
  }
}
