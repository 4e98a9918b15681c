import { Inject, Logger, Module, type DynamicModule, type OnModuleInit } from '@nestjs/common';
import { APP_GUARD, HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';

import { CORE_MODULE_OPTIONS, CoreEnv, HealthRegistry, type CoreModuleOptions } from '@bff/core';

import { AuthMetrics } from '../auth.metrics.js';
import { requireEnv } from '../require-env.js';
import { BackchannelLogout } from './backchannel-logout.service.js';
import { CsrfGuard } from './csrf.guard.js';
import { installFormBodyParser } from './form-body.js';
import { LoginFlow } from './login-flow.service.js';
import { deriveLoginStateKey, LoginStateSealer } from './login-state.js';
import { LogoutTokenVerifier } from './logout-token.js';
import { OidcClient } from './oidc-client.js';
import { SessionAdminAuthenticator } from './session-admin.authenticator.js';
import { SessionDirectory } from './session-directory.js';
import { SessionRedis } from './session-redis.js';
import { SessionResolver } from './session-resolver.service.js';
import { SessionAuthenticator } from './session.authenticator.js';
import { SessionConfig } from './session.config.js';
import { SESSION_STORE } from './session.constants.js';
import { SessionAuthEnv } from './session.env.js';
import {
  SESSION_AUTH_OPTIONS,
  SessionAuthConfigurableModule,
  type SESSION_AUTH_OPTIONS_TYPE,
  type SessionAuthModuleOptions,
} from './session.module-definition.js';
import { MemorySessionStore, RedisSessionStore, type SessionStore } from './session.store.js';

/**
 * Browser sessions for an SPA (strategy 'session'), the BFF as OpenID Connect token handler:
 * the browser holds one opaque HttpOnly cookie, tokens stay server-side (memory, or Redis when
 * REDIS_URL is set, shared by every instance). Pending logins are sealed into their own cookies
 * (LoginStateSealer) and take no server storage. Configured by `sessionAuthEnv` (list it in the app
 * definition). Provides LoginFlow for the app's /auth controller, registers the 'session'
 * authenticator (backed by SessionResolver), and a global guard requiring `X-CSRF: 1` on every state-changing request.
 * Also: BackchannelLogout (OpenID Connect back-channel logout, for a @PublicServerToServer
 * @AcceptsFormBody route), SessionDirectory (sessions by subject, for admin routes) and the
 * 'session-admin' bearer strategy (SESSION_ADMIN_AUDIENCE; unset, its routes answer 404).
 *
 * Import it after CoreModule.
 */
@Module({})
export class SessionAuthModule extends SessionAuthConfigurableModule implements OnModuleInit {
  private readonly logger = new Logger('SessionAuthModule');

  constructor(
    private readonly oidc: OidcClient,
    private readonly health: HealthRegistry,
    private readonly redis: SessionRedis,
    private readonly adapterHost: HttpAdapterHost,
    @Inject(SESSION_AUTH_OPTIONS) private readonly options: SessionAuthModuleOptions,
  ) {
    super();
  }

  static forRoot(options: typeof SESSION_AUTH_OPTIONS_TYPE = {}): DynamicModule {
    const base = super.forRoot(options);
    return {
      ...base,
      providers: [
        ...(base.providers ?? []),
        {
          provide: SessionConfig,
          useFactory: (core: CoreEnv, app: CoreModuleOptions, moduleOptions: SessionAuthModuleOptions, env?: SessionAuthEnv) =>
            new SessionConfig(requireEnv(env, 'SessionAuthModule', 'sessionAuthEnv'), core, app.app.name, moduleOptions),
          inject: [CoreEnv, CORE_MODULE_OPTIONS, SESSION_AUTH_OPTIONS, { token: SessionAuthEnv, optional: true }],
        },
        {
          provide: OidcClient,
          useFactory: (config: SessionConfig) =>
            new OidcClient({
              issuer: config.env.OIDC_ISSUER_URL,
              clientId: config.env.OIDC_CLIENT_ID,
              clientSecret: config.env.OIDC_CLIENT_SECRET,
              redirectUri: config.env.OIDC_REDIRECT_URI,
              postLogoutRedirectUri: config.env.OIDC_POST_LOGOUT_REDIRECT_URI,
              resource: config.env.OIDC_RESOURCE,
              scopes: config.scopes,
              timeoutMs: config.env.OIDC_TIMEOUT_MS,
            }),
          inject: [SessionConfig],
        },
        SessionRedis,
        {
          provide: SESSION_STORE,
          useFactory: (redis: SessionRedis, config: SessionConfig): SessionStore =>
            redis.client ? new RedisSessionStore(redis.client, config.keyPrefix) : new MemorySessionStore(config.env.SESSION_MAX_IN_MEMORY),
          inject: [SessionRedis, SessionConfig],
        },
        {
          provide: LoginStateSealer,
          useFactory: (config: SessionConfig) =>
            new LoginStateSealer(
              deriveLoginStateKey({
                loginStateSecret: config.env.SESSION_LOGIN_STATE_SECRET,
                clientSecret: config.env.OIDC_CLIENT_SECRET,
                clientId: config.env.OIDC_CLIENT_ID,
              }),
            ),
          inject: [SessionConfig],
        },
        {
          provide: LogoutTokenVerifier,
          useFactory: (config: SessionConfig) =>
            new LogoutTokenVerifier({
              issuer: config.env.OIDC_ISSUER_URL,
              clientId: config.env.OIDC_CLIENT_ID,
              timeoutMs: config.env.OIDC_TIMEOUT_MS,
            }),
          inject: [SessionConfig],
        },
        LoginFlow,
        SessionResolver,
        SessionDirectory,
        BackchannelLogout,
        AuthMetrics,
        SessionAuthenticator,
        SessionAdminAuthenticator,
        { provide: APP_GUARD, useClass: CsrfGuard },
      ],
      exports: [LoginFlow, SessionConfig, SessionDirectory, BackchannelLogout],
    };
  }

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (fastify && typeof fastify.addContentTypeParser === 'function') installFormBodyParser(fastify);
    const client = this.redis.client;
    if (client) {
      this.health.register('redis:sessions', async () => {
        await client.ping();
      });
    }
    if (this.options.prefetchDiscovery ?? true) {
      this.oidc
        .warmUp()
        .catch((error: unknown) =>
          this.logger.warn(
            { err: error instanceof Error ? error.message : String(error) },
            'Could not fetch the identity provider metadata; retrying on first login',
          ),
        );
    }
  }
}
