import { Controller, Get } from '@nestjs/common';

/** The liveness probe the benchmark polls before measuring (every target answers it). */
@Controller('health')
export class HealthController {
  @Get('live')
  live() {
    return { status: 'ok' };
  }
}
