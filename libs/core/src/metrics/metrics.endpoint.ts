import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { Injectable, type OnApplicationShutdown } from '@nestjs/common';

import { CoreEnv } from '../config/core.env.js';
import { MetricsService } from './metrics.service.js';

/**
 * The management port: a small node:http server of its own, apart from the public Fastify server, so
 * the metrics are never reachable through the public Service or ingress, and a scrape never competes
 * with the API's connection limits. It answers `GET|HEAD <METRICS_PATH>` with the exposition and 404
 * to anything else. runApp opens it once the public port listens; the app's shutdown closes it.
 */
@Injectable()
export class MetricsEndpoint implements OnApplicationShutdown {
  private server: Server | undefined;

  constructor(
    private readonly metrics: MetricsService,
    private readonly env: CoreEnv,
  ) {}

  /** Opens the management port per METRICS_*; resolves with the bound port, or undefined when METRICS_PORT=off. */
  async listen(): Promise<number | undefined> {
    if (this.env.METRICS_PORT === 'off') return undefined;
    const path = this.env.METRICS_PATH;
    const server = createServer((request, response) => {
      const target = (request.url ?? '').split('?', 1)[0];
      if (target !== path || (request.method !== 'GET' && request.method !== 'HEAD')) {
        response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }).end('Not found\n');
        return;
      }
      this.metrics.exposition().then(
        (text) => {
          response.writeHead(200, { 'content-type': this.metrics.registry.contentType, 'cache-control': 'no-store' });
          response.end(request.method === 'HEAD' ? undefined : text);
        },
        () => response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('Metrics collection failed\n'),
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(Number(this.env.METRICS_PORT), this.env.METRICS_HOST, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    return (server.address() as AddressInfo).port;
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    // A scraper's idle keep-alive connection must not hold the shutdown.
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
