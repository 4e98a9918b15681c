import 'reflect-metadata';

import { Controller, Get, HttpCode, Post, RequestMethod } from '@nestjs/common';
import { describe, expect, it } from 'vitest';

import { controllerPathOf, declaredRouteOf } from './nest-internals.js';

@Controller('canary')
class CanaryController {
  @Get(['one', 'two'])
  read(): void {}

  @Post('write')
  @HttpCode(201)
  write(): void {}

  helper(): void {}
}

/**
 * Canaries for the NestJS internals read in nest-internals.ts. Each fails with the name of the internal
 * when a @nestjs/common upgrade changes where its decorators write route metadata.
 */
describe('NestJS internals the platform reads', () => {
  it("METHOD_METADATA (@nestjs/common/constants): @Get/@Post write the route's method there", () => {
    expect(declaredRouteOf(CanaryController.prototype.read).method, 'METHOD_METADATA changed').toBe(RequestMethod.GET);
    expect(declaredRouteOf(CanaryController.prototype.write).method, 'METHOD_METADATA changed').toBe(RequestMethod.POST);
    expect(declaredRouteOf(CanaryController.prototype.helper).method, 'METHOD_METADATA changed').toBeUndefined();
  });

  it('PATH_METADATA (@nestjs/common/constants): @Controller and the route decorators write their paths there', () => {
    expect(controllerPathOf(CanaryController), 'PATH_METADATA changed').toBe('canary');
    expect(declaredRouteOf(CanaryController.prototype.read).path, 'PATH_METADATA changed').toEqual(['one', 'two']);
    expect(declaredRouteOf(CanaryController.prototype.write).path, 'PATH_METADATA changed').toBe('write');
  });

  it('HTTP_CODE_METADATA (@nestjs/common/constants): @HttpCode writes the status there', () => {
    expect(declaredRouteOf(CanaryController.prototype.write).httpCode, 'HTTP_CODE_METADATA changed').toBe(201);
    expect(declaredRouteOf(CanaryController.prototype.read).httpCode, 'HTTP_CODE_METADATA changed').toBeUndefined();
  });
});
