import { Protected } from '@bff/core';

import { SESSION_STRATEGY } from './session.constants.js';

/**
 * Requires a signed-in browser session holding every scope listed (and, like every session route,
 * the X-CSRF header). Same as `@Protected('session', scopes)`.
 */
export const SessionProtected = (scopes: readonly string[] = []): MethodDecorator & ClassDecorator => Protected(SESSION_STRATEGY, scopes);
