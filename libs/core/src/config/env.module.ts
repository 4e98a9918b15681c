import { Global, Module, type DynamicModule, type Provider } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';

import { validateEnvironment, type EnvSchema, type RawEnv } from './env-schema.js';
import { ENV_VALUES, RAW_ENV } from './env.constants.js';

/**
 * Validates every env slice of the app at once (one error listing every problem) and provides
 * each parsed slice under its own token, so a lib injects its typed config by class. The variables
 * are those of RAW_ENV when the app was created with an environment of its own (createPlatformApp's
 * `env`), else process.env.
 */
@Global()
@Module({})
export class EnvModule {
  static forRoot(schemas: readonly EnvSchema[]): DynamicModule {
    const slices: Provider[] = schemas.map((schema) => ({
      provide: schema.token as never,
      useFactory: (values: Map<unknown, unknown>) => values.get(schema.token),
      inject: [ENV_VALUES],
    }));
    return {
      module: EnvModule,
      imports: [ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, cache: true })],
      providers: [
        {
          provide: ENV_VALUES,
          useFactory: (env: RawEnv | undefined) => validateEnvironment(schemas, env ?? process.env),
          inject: [{ token: RAW_ENV, optional: true }],
        },
        ...slices,
      ],
      exports: [ENV_VALUES, ...schemas.map((s) => s.token as never)],
    };
  }
}

/** Provides RAW_ENV to the whole app (global, so EnvModule finds it wherever CoreModule is imported). */
@Global()
@Module({})
export class RawEnvModule {
  static forRoot(env: RawEnv): DynamicModule {
    return { module: RawEnvModule, providers: [{ provide: RAW_ENV, useValue: env }], exports: [RAW_ENV] };
  }
}
