import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';

import { HealthRegistry } from '@bff/core';

import type { UpstreamClient } from './upstream.client.js';
import { upstreamToken } from './upstream.constants.js';
import { UPSTREAM_MODULE_OPTIONS, type UpstreamModuleOptions } from './upstream.module-definition.js';

/** Registers each upstream's readiness probe, and closes every connection pool on shutdown. */
@Injectable()
export class UpstreamLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(UPSTREAM_MODULE_OPTIONS) private readonly options: UpstreamModuleOptions,
    private readonly moduleRef: ModuleRef,
    private readonly health: HealthRegistry,
  ) {}

  private clients(): UpstreamClient[] {
    return this.options.upstreams.map((u) => this.moduleRef.get<UpstreamClient>(upstreamToken(u.name)));
  }

  onModuleInit(): void {
    for (const client of this.clients()) this.health.register(`upstream:${client.name}`, (signal) => client.probe(signal));
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled(this.clients().map((c) => c.close()));
  }
}
