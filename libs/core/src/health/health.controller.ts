import { Controller, Get, HttpCode, Logger } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';

import { Public } from '../access/access.decorators.js';
import { PlatformError } from '../errors/platform-error.js';
import { ApiProblemResponses } from '../openapi/api-problems.decorator.js';
import { HealthRegistry } from './health.registry.js';

const CHECK_TIMEOUT_MS = 2_000;

/** One dependency as the readiness answer reports it: up with its latency, or down. */
export interface DependencyStatus {
  status: 'up' | 'down';
  latencyMs?: number;
  message?: string;
}

export interface ReadinessReport {
  /** `degraded`: the instance serves, and at least one dependency does not answer. */
  status: 'ok' | 'degraded';
  details: Record<string, DependencyStatus>;
}

const READY_SCHEMA = {
  type: 'object',
  required: ['status', 'details'],
  additionalProperties: false,
  properties: {
    status: { type: 'string', enum: ['ok', 'degraded'] },
    details: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        required: ['status'],
        additionalProperties: false,
        properties: {
          status: { type: 'string', enum: ['up', 'down'] },
          latencyMs: { type: 'integer', minimum: 0 },
          message: { type: 'string' },
        },
      },
    },
  },
  example: {
    status: 'degraded',
    details: { 'upstream:catalog': { status: 'up', latencyMs: 3 }, 'upstream:reviews': { status: 'down', message: 'unreachable' } },
  },
};

@ApiTags('health')
@Controller('health')
export class HealthController {
  private readonly logger = new Logger('Health');

  constructor(private readonly registry: HealthRegistry) {}

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

  /**
   * Readiness gates on this instance only (503 while it drains). Dependencies are shared by every
   * instance, so gating on them would take all instances out of rotation at once and turn a
   * degraded page into a load-balancer error; they are reported in the body instead.
   */
  @Get('ready')
  @HttpCode(200)
  @Public('Readiness probe for orchestrators; reports dependency names only')
  @ApiOperation({
    summary: 'Readiness: this instance takes traffic (503 only while it drains); each dependency is reported, up or down.',
  })
  @ApiOkResponse({ description: 'The instance takes traffic; `degraded` names the dependencies that do not answer.', schema: READY_SCHEMA })
  @ApiProblemResponses(503)
  async ready(): Promise<ReadinessReport> {
    if (this.registry.isDraining()) {
      throw new PlatformError('unavailable', 'DRAINING', 'Instance is shutting down', {
        publicDetail: 'This instance is shutting down.',
      });
    }
    const results = await Promise.all(
      this.registry.entries().map(async ([name, check]): Promise<[string, DependencyStatus]> => {
        const started = performance.now();
        try {
          await check(AbortSignal.timeout(CHECK_TIMEOUT_MS));
          return [name, { status: 'up', latencyMs: Math.round(performance.now() - started) }];
        } catch (error) {
          // Only the dependency's name leaves the process; the reason stays in the logs.
          this.logger.warn(`Readiness: ${name} does not answer: ${error instanceof Error ? error.message : String(error)}`);
          return [name, { status: 'down', message: 'unreachable' }];
        }
      }),
    );
    const details = Object.fromEntries(results);
    return { status: results.every(([, result]) => result.status === 'up') ? 'ok' : 'degraded', details };
  }
}
