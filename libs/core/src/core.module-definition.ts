import { ConfigurableModuleBuilder } from '@nestjs/common';

import type { AppDefinition } from './app-definition.js';

export interface CoreModuleOptions {
  readonly app: AppDefinition;
}

export const {
  ConfigurableModuleClass: CoreConfigurableModule,
  MODULE_OPTIONS_TOKEN: CORE_MODULE_OPTIONS,
  OPTIONS_TYPE: CORE_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<CoreModuleOptions>({ moduleName: 'Core' }).setClassMethodName('forRoot').build();
