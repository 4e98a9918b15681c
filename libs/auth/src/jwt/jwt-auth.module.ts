import { Module, type DynamicModule } from '@nestjs/common';

import { AuthMetrics } from '../auth.metrics.js';
import { AuthRedis } from '../redis/auth-redis.js';
import { requireEnv } from '../require-env.js';
import { DpopProofVerifier, MemoryDpopReplayCache, RedisDpopReplayCache } from './dpop.js';
import { JwtAuthEnv } from './jwt-auth.env.js';
import { JwtAuthConfigurableModule, type JWT_AUTH_OPTIONS_TYPE } from './jwt-auth.module-definition.js';
import { JwtVerifier } from './jwt-verifier.js';
import { JwtAuthenticator } from './jwt.authenticator.js';

/**
 * Bearer-JWT authentication (strategy 'jwt') for apps whose clients hold OAuth access tokens
 * (mobile-bff). Configured by `jwtAuthEnv` (JWT_ISSUER, JWT_AUDIENCE, JWT_ALGORITHMS,
 * JWT_CLOCK_SKEW_SECONDS, JWT_DPOP, ...), validated at boot; needs RateLimitModule (failed-attempt
 * limits, and its Redis connection for the DPoP replay cache when REDIS_URL is set).
 * Routes opt in with `@Protected('jwt', ['scope'])`.
 */
@Module({})
export class JwtAuthModule extends JwtAuthConfigurableModule {
  static forRoot(options: typeof JWT_AUTH_OPTIONS_TYPE = {}): DynamicModule {
    const base = super.forRoot(options);
    return {
      ...base,
      providers: [
        ...(base.providers ?? []),
        {
          provide: JwtVerifier,
          useFactory: (metrics: AuthMetrics, maybeEnv?: JwtAuthEnv) => {
            const env = requireEnv(maybeEnv, 'JwtAuthModule', 'jwtAuthEnv');
            return new JwtVerifier({
              issuer: env.JWT_ISSUER,
              audience: env.JWT_AUDIENCE,
              algorithms: env.JWT_ALGORITHMS,
              clockToleranceSeconds: env.JWT_CLOCK_SKEW_SECONDS,
              typ: env.JWT_TYP,
              jwksCooldownMs: env.JWT_JWKS_COOLDOWN_MS,
              jwksMaxAgeMs: env.JWT_JWKS_MAX_AGE_MS,
              onKeySetFetch: (outcome) => metrics.keySetFetched(outcome),
            });
          },
          inject: [AuthMetrics, { token: JwtAuthEnv, optional: true }],
        },
        {
          provide: DpopProofVerifier,
          useFactory: (redis: AuthRedis, maybeEnv?: JwtAuthEnv) => {
            const env = requireEnv(maybeEnv, 'JwtAuthModule', 'jwtAuthEnv');
            return new DpopProofVerifier({
              algorithms: env.JWT_DPOP_ALGORITHMS,
              iatWindowSeconds: env.JWT_DPOP_IAT_WINDOW_SECONDS,
              replayCache: redis.client ? new RedisDpopReplayCache(redis.client, redis.prefix) : new MemoryDpopReplayCache(),
            });
          },
          inject: [AuthRedis, { token: JwtAuthEnv, optional: true }],
        },
        JwtAuthenticator,
        AuthMetrics,
      ],
    };
  }
}
