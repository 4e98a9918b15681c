import type { Agent as HttpAgent } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';

import type { HttpService } from '@nestjs/axios';

import { DEFAULT_CONNECTIONS } from '../upstream.constants.js';
import type { UpstreamDefinition, UpstreamTransport, UpstreamTransportKind } from '../upstream.types.js';
import { AxiosTransport } from './axios.transport.js';
import { UndiciTransport } from './undici.transport.js';

/** Builds the @nestjs/axios HttpService of one upstream (see axiosHttpServices). */
export type HttpServiceFactory = (definition: UpstreamDefinition, baseUrl: string) => HttpService;

/**
 * Loads axios (on first use: apps whose upstreams all run on undici never load it) and returns the
 * factory of upstream HttpServices: an axios instance with keep-alive agents sized like the undici pool.
 */
export async function axiosHttpServices(): Promise<HttpServiceFactory> {
  const { axiosHttpService } = await import('./axios-http.js');
  return axiosHttpService;
}

/** The @nestjs/axios HttpService of one upstream (loads axios on first use). */
export async function createHttpService(definition: UpstreamDefinition, baseUrl: string): Promise<HttpService> {
  return (await axiosHttpServices())(definition, baseUrl);
}

/**
 * Builds the transport of one upstream. 'axios' needs the upstream's HttpService (from
 * createHttpService, possibly with a team's interceptors registered on it).
 */
export function createTransport(
  kind: UpstreamTransportKind,
  definition: UpstreamDefinition,
  baseUrl: string,
  http?: HttpService,
): UpstreamTransport {
  if (kind === 'axios') {
    if (!http) throw new Error(`Upstream '${definition.name}' runs on the axios transport: pass its HttpService (createHttpService)`);
    return new AxiosTransport(definition.name, http, () => {
      const { httpAgent, httpsAgent } = http.axiosRef.defaults as { httpAgent?: HttpAgent; httpsAgent?: HttpsAgent };
      httpAgent?.destroy();
      httpsAgent?.destroy();
    });
  }
  return new UndiciTransport(definition.name, new URL(baseUrl).origin, { connections: definition.connections ?? DEFAULT_CONNECTIONS });
}
