import type { ExecutionContext, Type } from '@nestjs/common';

/**
 * The execution context Nest's router hands guards for an HTTP request to `controller.handler`, built from
 * the public ExecutionContext interface (specs only; never part of the build).
 */
export function httpContext(request: object, reply: object, controller: Type, handler: (...args: never[]) => unknown): ExecutionContext {
  const args = [request, reply];
  const http = { getRequest: <T>() => request as T, getResponse: <T>() => reply as T, getNext: <T>() => undefined as T };
  return {
    getType: <T extends string>() => 'http' as T,
    getClass: <T>() => controller as Type<T>,
    getHandler: () => handler,
    getArgs: <T extends unknown[]>() => args as T,
    getArgByIndex: <T>(index: number) => args[index] as T,
    switchToHttp: () => http,
    switchToRpc: () => {
      throw new Error('not an RPC context');
    },
    switchToWs: () => {
      throw new Error('not a WebSocket context');
    },
  };
}
