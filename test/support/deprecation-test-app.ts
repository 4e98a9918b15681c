import { Body, Controller, Get, HttpCode, Module, Param, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiProperty } from '@nestjs/swagger';
import { IsInt, IsString, Matches, Min } from 'class-validator';

import { ApiProblemResponses, CoreModule, defineApp, Deprecated, PlatformError, Public } from '@bff/core';

/**
 * A small test-only app exercising @Deprecated (docs/versioning.md): partner-bff has no successor
 * route yet, so no production route is deprecated; this app has a /v1 route announced as replaced by
 * its /v2 successor, a deprecated DTO field, and an untouched route.
 */
export const DEPRECATION_TEST_APP = defineApp({
  name: 'deprecation-test',
  title: 'Deprecation test app',
  description: 'Test-only app for @Deprecated.',
  version: '0.0.0',
  defaultPort: 0,
  env: [],
});

export const DEPRECATION = {
  since: '2026-12-01',
  sunset: '2027-06-30',
  successor: '/v2/widgets',
  docs: 'https://developer.example.com/changes/widgets-v2',
  reason: 'v2 returns the price in minor units.',
} as const;

const KNOWN = 'w-1';

export class WidgetDto {
  @ApiProperty({ example: KNOWN }) id: string;
  @ApiProperty({ description: 'Price in minor units.' }) amount: number;
  @ApiProperty({ description: 'Price as a decimal string.', example: '12.50' })
  @Deprecated({ since: '2026-12-01', sunset: '2027-06-30', reason: 'Use amount (minor units).' })
  price: string;
}

export class CreateWidgetBody {
  @ApiProperty({ pattern: '^[a-z]{1,20}$' })
  @IsString()
  @Matches(/^[a-z]{1,20}$/)
  name: string;

  @ApiProperty({ type: 'integer', minimum: 0 })
  @IsInt()
  @Min(0)
  amount: number;
}

const widget = (id: string, amount: number): WidgetDto => ({ id, amount, price: (amount / 100).toFixed(2) });

@Controller('v1/widgets')
class WidgetsV1Controller {
  @Get(':id')
  @Public('test route')
  @Deprecated(DEPRECATION)
  @ApiOkResponse({ type: WidgetDto })
  @ApiProblemResponses(404)
  get(@Param('id') id: string): WidgetDto {
    if (id !== KNOWN) throw new PlatformError('not_found', 'NOT_FOUND', 'unknown widget', { publicDetail: 'No such widget.' });
    return widget(id, 1250);
  }

  @Post()
  @HttpCode(201)
  @Public('test route')
  @Deprecated({ since: '2026-12-01', sunset: '2027-03-31', successor: 'https://api.example.com/v2/widgets' })
  @ApiCreatedResponse({ type: WidgetDto })
  create(@Body() body: CreateWidgetBody): WidgetDto {
    return widget(body.name, body.amount);
  }
}

@Controller('v2/widgets')
class WidgetsV2Controller {
  @Get()
  @Public('test route')
  @ApiOkResponse({ type: [WidgetDto] })
  list(): WidgetDto[] {
    return [widget(KNOWN, 1250)];
  }

  @Get(':id')
  @Public('test route')
  @ApiOkResponse({ type: WidgetDto })
  @ApiProblemResponses(404)
  get(@Param('id') id: string): WidgetDto {
    if (id !== KNOWN) throw new PlatformError('not_found', 'NOT_FOUND', 'unknown widget', { publicDetail: 'No such widget.' });
    return widget(id, 1250);
  }
}

@Module({
  imports: [CoreModule.forRoot({ app: DEPRECATION_TEST_APP })],
  controllers: [WidgetsV1Controller, WidgetsV2Controller],
})
export class DeprecationTestAppModule {}
