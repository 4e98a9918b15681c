import { ConfigurableModuleBuilder } from '@nestjs/common';

export interface JwtAuthModuleOptions {
  /** `realm` of the WWW-Authenticate challenge (default: the app name). */
  readonly realm?: string;
  /** Fetch discovery and keys at boot, in the background, so the first request does not wait (default true). */
  readonly prefetchKeys?: boolean;
}

export const {
  ConfigurableModuleClass: JwtAuthConfigurableModule,
  MODULE_OPTIONS_TOKEN: JWT_AUTH_OPTIONS,
  OPTIONS_TYPE: JWT_AUTH_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<JwtAuthModuleOptions>({ moduleName: 'JwtAuth' }).setClassMethodName('forRoot').build();
