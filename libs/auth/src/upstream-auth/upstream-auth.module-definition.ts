import { ConfigurableModuleBuilder } from '@nestjs/common';

export interface UpstreamAuthModuleOptions {
  /**
   * The app calls upstreams declared `auth: 'client-credentials'`: its OAuth client is configured
   * by `clientCredentialsEnv` (UPSTREAM_AUTH_ISSUER, _CLIENT_ID, _CLIENT_SECRET), required at boot.
   */
  readonly clientCredentials?: boolean;
}

export const {
  ConfigurableModuleClass: UpstreamAuthConfigurableModule,
  MODULE_OPTIONS_TOKEN: UPSTREAM_AUTH_OPTIONS,
  OPTIONS_TYPE: UPSTREAM_AUTH_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<UpstreamAuthModuleOptions>({ moduleName: 'UpstreamAuth' }).setClassMethodName('forRoot').build();
