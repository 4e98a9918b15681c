import { ConfigurableModuleBuilder } from '@nestjs/common';

export interface CacheModuleOptions {
  /**
   * Namespace of this app's entries (route, upstream and section-fallback keys). Defaults to the
   * app definition's name, so apps sharing one Redis never read each other's route entries. Tags
   * are not namespaced: invalidating `product:p-00001` reaches every app on the same Redis prefix.
   */
  readonly namespace?: string;
}

export const {
  ConfigurableModuleClass: CacheConfigurableModule,
  MODULE_OPTIONS_TOKEN: CACHE_MODULE_OPTIONS,
  OPTIONS_TYPE: CACHE_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<CacheModuleOptions>({ moduleName: 'Cache' }).setClassMethodName('forRoot').build();
