import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';

import { PlatformError } from '@bff/core';
import { UpstreamError, upstreamToken, type UpstreamClient } from '@bff/upstream';

import { REMOTE_API_PREFIX } from './remote-api.constants.js';
import { REMOTE_API_OPTIONS } from './remote-api.module-definition.js';
import type { RemoteApiDefinition, RemoteApiMethod, RemoteApiModuleOptions } from './remote-api.types.js';
import { RemoteApiBodies } from './remote-body.js';
import { forwardedRequestHeaders, forwardedResponseHeaders, privateCacheControl } from './remote-headers.js';
import { isValidPrefix, REMOTE_API_NAME, resolveRemotePath } from './remote-path.js';

/**
 * Gateway routing for the SPA: a call to `/api/remote/{api}/{path}` goes to the API's upstream when
 * `{path}` lies under one of its allowlisted prefixes and the method is allowed, through the upstream's
 * client (its resilience, token rules and error mapping), headers cleaned both ways, bodies streamed.
 */
@Injectable()
export class RemoteApiService implements OnModuleInit {
  private readonly apis: ReadonlyMap<string, RemoteApiDefinition>;
  private readonly clients = new Map<string, UpstreamClient>();

  constructor(
    @Inject(REMOTE_API_OPTIONS) options: RemoteApiModuleOptions,
    private readonly moduleRef: ModuleRef,
    private readonly bodies: RemoteApiBodies,
  ) {
    this.apis = new Map(Object.entries(options.apis));
  }

  /** Every API checked at boot: a bad name, prefix or upstream stops the app rather than answering 404s later. */
  onModuleInit(): void {
    for (const [name, api] of this.apis) {
      if (!REMOTE_API_NAME.test(name)) throw new Error(`RemoteApiModule: API name '${name}' must match ${REMOTE_API_NAME}`);
      if (api.paths.length === 0) throw new Error(`RemoteApiModule: API '${name}' allows no paths`);
      for (const prefix of api.paths) {
        if (!isValidPrefix(prefix)) throw new Error(`RemoteApiModule: API '${name}' path '${prefix}' must look like /segment[/segment...]`);
      }
      let client: UpstreamClient;
      try {
        client = this.moduleRef.get<UpstreamClient>(upstreamToken(api.upstream), { strict: false });
      } catch {
        throw new Error(`RemoteApiModule: API '${name}' names upstream '${api.upstream}', which the app does not declare`);
      }
      if (!client.canForward)
        throw new Error(`RemoteApiModule: upstream '${api.upstream}' (API '${name}') runs on a transport that cannot forward calls`);
      this.clients.set(name, client);
    }
  }

  async forward(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    // The raw URL, not the router's decoded parameters: an encoded API name (`cat%61log`) names no API.
    const raw = request.url.slice(REMOTE_API_PREFIX.length);
    const slash = raw.indexOf('/');
    const api = slash === -1 ? raw : raw.slice(0, slash);
    const resolved = resolveRemotePath(this.apis, api, request.method, slash === -1 ? '' : raw.slice(slash));
    const body = this.bodies.take(request.raw);
    if (!resolved.ok) {
      throw resolved.reason === 'invalid'
        ? new PlatformError('bad_request', 'INVALID_REMOTE_PATH', 'remote API path refused', {
            publicDetail:
              'The remote API path is not a plain path (dot segments, empty segments, encoded separators or control characters).',
          })
        : new PlatformError('not_found', 'REMOTE_API_NOT_ALLOWED', 'remote API call outside the allowlist', {
            publicDetail: 'This remote API, method or path is not available.',
          });
    }
    const client = this.clients.get(api);
    if (!client) throw new Error(`remote API '${api}' has no client`);
    const abort = new AbortController();
    const onClose = (): void => {
      if (!reply.raw.writableFinished) abort.abort();
    };
    reply.raw.once('close', onClose);
    const answer = await client.forward({
      method: request.method as RemoteApiMethod | 'HEAD',
      path: resolved.path,
      headers: forwardedRequestHeaders(request.headers),
      body,
      signal: abort.signal,
    });
    if (!passedOn(request.method, answer.status)) {
      // A redirect would point the browser at the upstream's own URL, and a status the route's document does not
      // list would break its clients: neither is passed on, both are mapped like an error status.
      answer.body.destroy();
      throw new UpstreamError({
        upstream: client.name,
        failure: 'http_status',
        method: request.method,
        path: resolved.path,
        status: answer.status,
      });
    }
    const headers = forwardedResponseHeaders(answer.headers);
    if (client.definition.auth === 'relay') headers['cache-control'] = privateCacheControl(headers['cache-control']);
    void reply.status(answer.status).headers(headers);
    if (answer.status === 204 || answer.status === 304 || request.method === 'HEAD') {
      answer.body.resume();
      return void reply.send();
    }
    return void reply.send(answer.body);
  }
}

/** The upstream statuses the gateway passes on, as its OpenAPI document lists them per method. */
function passedOn(method: string, status: number): boolean {
  if (status === 200 || status === 204) return true;
  if (status === 304) return method === 'GET' || method === 'HEAD';
  if (status === 201) return method === 'POST' || method === 'PUT';
  return false;
}
