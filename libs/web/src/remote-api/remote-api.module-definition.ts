import { ConfigurableModuleBuilder } from '@nestjs/common';

import type { RemoteApiModuleOptions } from './remote-api.types.js';

export const {
  ConfigurableModuleClass: RemoteApiConfigurableModule,
  MODULE_OPTIONS_TOKEN: REMOTE_API_OPTIONS,
  OPTIONS_TYPE: REMOTE_API_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<RemoteApiModuleOptions>({ moduleName: 'RemoteApi' }).setClassMethodName('forRoot').build();
