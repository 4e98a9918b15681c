import { ConfigurableModuleBuilder } from '@nestjs/common';

export interface ApiKeyAuthModuleOptions {
  /** `realm` of the WWW-Authenticate challenge (default: the app name). */
  readonly realm?: string;
}

export const {
  ConfigurableModuleClass: ApiKeyAuthConfigurableModule,
  MODULE_OPTIONS_TOKEN: API_KEY_AUTH_OPTIONS,
  OPTIONS_TYPE: API_KEY_AUTH_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<ApiKeyAuthModuleOptions>({ moduleName: 'ApiKeyAuth' }).setClassMethodName('forRoot').build();
