import { ConfigurableModuleBuilder } from '@nestjs/common';

export interface UpstreamAuthModuleOptions {
  /**
   * The app calls upstreams declared `auth: 'client-credentials'`: its OAuth client is configured
   * by `clientCredentialsEnv` (UPSTREAM_AUTH_ISSUER, _CLIENT_ID, _CLIENT_SECRET), required at boot.
   */
  readonly clientCredentials?: boolean;
  /**
   * 'relay' upstreams receive, instead of the caller's token, the token the provider exchanges it for
   * (OAuth 2.0 Token Exchange, RFC 8693): for apps whose callers' tokens are for the app's own audience
   * (mobile-bff). Configured by `tokenExchangeEnv` (JWT_TOKEN_EXCHANGE_*); list it in the app definition.
   */
  readonly tokenExchange?: boolean;
}

export const {
  ConfigurableModuleClass: UpstreamAuthConfigurableModule,
  MODULE_OPTIONS_TOKEN: UPSTREAM_AUTH_OPTIONS,
  OPTIONS_TYPE: UPSTREAM_AUTH_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<UpstreamAuthModuleOptions>({ moduleName: 'UpstreamAuth' }).setClassMethodName('forRoot').build();
