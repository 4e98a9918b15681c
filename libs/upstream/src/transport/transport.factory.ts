import { HttpService } from '@nestjs/axios';
import axios from 'axios';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { DEFAULT_CONNECTIONS } from '../upstream.constants.js';
import type { UpstreamDefinition, UpstreamTransport, UpstreamTransportKind } from '../upstream.types.js';
import { AxiosTransport } from './axios.transport.js';
import { UndiciTransport } from './undici.transport.js';

/** One axios instance per upstream, with keep-alive agents sized like the undici pool. */
export function createHttpService(definition: UpstreamDefinition, baseUrl: string): HttpService {
  const maxSockets = definition.connections ?? DEFAULT_CONNECTIONS;
  const instance = axios.create({
    baseURL: new URL(baseUrl).origin,
    httpAgent: new HttpAgent({ keepAlive: true, maxSockets }),
    httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets }),
    proxy: false,
  });
  return new HttpService(instance);
}

/** Builds the transport of one upstream. For 'axios', pass the HttpService teams may have put interceptors on. */
export function createTransport(
  kind: UpstreamTransportKind,
  definition: UpstreamDefinition,
  baseUrl: string,
  http: HttpService = createHttpService(definition, baseUrl),
): UpstreamTransport {
  if (kind === 'axios') {
    return new AxiosTransport(definition.name, http, () => {
      const { httpAgent, httpsAgent } = http.axiosRef.defaults as { httpAgent?: HttpAgent; httpsAgent?: HttpsAgent };
      httpAgent?.destroy();
      httpsAgent?.destroy();
    });
  }
  return new UndiciTransport(definition.name, new URL(baseUrl).origin, { connections: definition.connections ?? DEFAULT_CONNECTIONS });
}
