import { ConfigurableModuleBuilder } from '@nestjs/common';

import type { UpstreamDefinition } from './upstream.types.js';

export interface UpstreamModuleOptions {
  readonly upstreams: readonly UpstreamDefinition[];
}

export const {
  ConfigurableModuleClass: UpstreamConfigurableModule,
  MODULE_OPTIONS_TOKEN: UPSTREAM_MODULE_OPTIONS,
  OPTIONS_TYPE: UPSTREAM_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<UpstreamModuleOptions>({ moduleName: 'Upstream' }).setClassMethodName('forRoot').build();
