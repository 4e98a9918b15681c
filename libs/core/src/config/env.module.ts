import { Global, Module, type DynamicModule, type Provider } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { validateEnvironment, type EnvSchema } from './env-schema.js';

/** Token of the map schema token → parsed value, built once at boot. */
export const ENV_VALUES = Symbol('ENV_VALUES');

/**
 * Validates every env slice of the app at once (one error listing every problem) and provides
 * each parsed slice under its own token, so a lib injects its typed config by class.
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
      providers: [{ provide: ENV_VALUES, useFactory: () => validateEnvironment(schemas) }, ...slices],
      exports: [ENV_VALUES, ...schemas.map((s) => s.token as never)],
    };
  }
}
