import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';

import { HttpService } from '@nestjs/axios';
import axios from 'axios';

import { DEFAULT_CONNECTIONS } from '../upstream.constants.js';
import type { UpstreamDefinition } from '../upstream.types.js';

/**
 * One axios instance per upstream, with keep-alive agents sized like the undici pool. Loaded only
 * when an upstream runs on the axios transport (axios and its dependencies cost ~100 ms of boot).
 */
export function axiosHttpService(definition: UpstreamDefinition, baseUrl: string): HttpService {
  const maxSockets = definition.connections ?? DEFAULT_CONNECTIONS;
  const instance = axios.create({
    baseURL: new URL(baseUrl).origin,
    httpAgent: new HttpAgent({ keepAlive: true, maxSockets }),
    httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets }),
    proxy: false,
  });
  return new HttpService(instance);
}
