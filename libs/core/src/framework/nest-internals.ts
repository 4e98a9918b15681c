import type { RequestMethod, Type } from '@nestjs/common';
// The one import of a NestJS internal in the platform: the metadata keys Nest's route decorators write
// under, which @nestjs/common does not export from its entry point. nest-internals.spec.ts has a canary
// per key that fails, naming it, when an upgrade moves or renames one.
import { HTTP_CODE_METADATA, METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';

/** What a controller method's route decorators declared (`@Get('x')`, `@HttpCode(201)`, ...). */
export interface DeclaredRoute {
  /** Undefined for a method that is not a route handler. */
  readonly method: RequestMethod | undefined;
  readonly path: string | readonly string[] | undefined;
  readonly httpCode: number | undefined;
}

/** The route a controller method declares, read from Nest's decorator metadata (see the canaries). */
export function declaredRouteOf(handler: object): DeclaredRoute {
  return {
    method: Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined,
    path: Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined,
    httpCode: Reflect.getMetadata(HTTP_CODE_METADATA, handler) as number | undefined,
  };
}

/** The path prefix a controller declares (`@Controller('api/v1')`). */
export function controllerPathOf(controller: Type): string | readonly string[] | undefined {
  return Reflect.getMetadata(PATH_METADATA, controller) as string | string[] | undefined;
}
