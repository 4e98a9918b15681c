import { Controller, Get, HttpCode } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheckService, HealthIndicatorService, type HealthCheckResult, type HealthIndicatorResult } from '@nestjs/terminus';

import { Public } from '../access/access.decorators.js';
import { PlatformError } from '../errors/platform-error.js';
import { ApiProblemResponses } from '../openapi/api-problems.decorator.js';
import { HealthRegistry } from './health.registry.js';

const CHECK_TIMEOUT_MS = 2_000;

/** One dependency in a readiness answer (@nestjs/terminus HealthIndicatorResult): up with its latency, or down. */
const CHECK_RESULTS_SCHEMA = {
  type: 'object',
  additionalProperties: {
    type: 'object',
    required: ['status'],
    properties: {
      status: { type: 'string', enum: ['up', 'down'] },
      latencyMs: { type: 'integer', minimum: 0 },
      message: { type: 'string' },
    },
  },
  example: { catalog: { status: 'up', latencyMs: 3 } },
};

/** The readiness answer (@nestjs/terminus HealthCheckResult) when every dependency is up. */
const READY_SCHEMA = {
  type: 'object',
  required: ['status', 'details'],
  properties: {
    status: { type: 'string', enum: ['ok'] },
    info: CHECK_RESULTS_SCHEMA,
    error: CHECK_RESULTS_SCHEMA,
    details: CHECK_RESULTS_SCHEMA,
  },
};

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly registry: HealthRegistry,
  ) {}

  @Get('live')
  @HttpCode(200)
  @Public('Liveness probe for orchestrators')
  @ApiOperation({ summary: 'Liveness: the process is up and serving.' })
  @ApiOkResponse({
    description: 'The process is alive.',
    schema: { type: 'object', required: ['status'], properties: { status: { type: 'string', enum: ['ok'] } }, additionalProperties: false },
  })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @Public('Readiness probe for orchestrators; reports dependency names only')
  @ApiOperation({ summary: 'Readiness: every dependency this app needs answers.' })
  @ApiOkResponse({ description: 'All dependencies are reachable.', schema: READY_SCHEMA })
  // 503: a dependency is down (the problem lists the checks), or the instance is draining.
  @ApiProblemResponses(503)
  async ready(): Promise<HealthCheckResult> {
    if (this.registry.isDraining()) {
      throw new PlatformError('unavailable', 'DRAINING', 'Instance is shutting down', {
        publicDetail: 'This instance is shutting down.',
      });
    }
    const checks = this.registry.entries().map(([name, check]) => async (): Promise<HealthIndicatorResult> => {
      const session = this.indicators.check(name);
      const started = performance.now();
      try {
        await check(AbortSignal.timeout(CHECK_TIMEOUT_MS));
        return session.up({ latencyMs: Math.round(performance.now() - started) });
      } catch {
        // Only the dependency's name leaves the process; the reason is in the logs.
        return session.down({ message: 'unreachable' });
      }
    });
    try {
      return await this.health.check(checks);
    } catch (error) {
      const result = (error as { getResponse?: () => unknown }).getResponse?.() as HealthCheckResult | undefined;
      throw new PlatformError('unavailable', 'NOT_READY', 'Readiness check failed', {
        publicDetail: 'One or more dependencies are unreachable.',
        extensions: result ? { checks: result.details } : undefined,
        cause: error,
      });
    }
  }
}
