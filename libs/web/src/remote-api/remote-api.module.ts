import { Module, type DynamicModule } from '@nestjs/common';

import { RemoteApiController } from './remote-api.controller.js';
import { RemoteApiConfigurableModule, type REMOTE_API_OPTIONS_TYPE } from './remote-api.module-definition.js';
import { RemoteApiService } from './remote-api.service.js';
import { RemoteApiBodies } from './remote-body.js';

/**
 * Remote APIs for the SPA (docs/frontend.md): `/api/remote/{api}/{path}` forwarded to allowlisted
 * upstream paths, signed-in users only. The upstreams must be declared by the app (e.g. RetailModule)
 * and run on undici; needs `remoteApiEnv` in the app definition's env list, and SessionAuthModule.
 */
@Module({})
export class RemoteApiModule extends RemoteApiConfigurableModule {
  static forRoot(options: typeof REMOTE_API_OPTIONS_TYPE): DynamicModule {
    const base = super.forRoot(options);
    return {
      ...base,
      controllers: [RemoteApiController],
      providers: [...(base.providers ?? []), RemoteApiBodies, RemoteApiService],
    };
  }
}
