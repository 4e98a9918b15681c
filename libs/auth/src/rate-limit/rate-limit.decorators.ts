import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';

import { LOGIN_RATE_LIMIT_EXTENSION, LOGIN_RATE_LIMITED } from './rate-limit.constants.js';

/**
 * Puts a route under the sign-in budget as well as the general one: at most AUTH_LOGIN_RATE_LIMIT
 * requests per client IP per AUTH_LOGIN_RATE_WINDOW_MS (RateLimitModule's 'login' throttler), for
 * routes anyone can call that cost the server work per call (starting a sign-in). Documents the 429.
 */
export const LoginRateLimit = (): MethodDecorator =>
  applyDecorators(SetMetadata(LOGIN_RATE_LIMITED, true), ApiExtension(LOGIN_RATE_LIMIT_EXTENSION, true));
