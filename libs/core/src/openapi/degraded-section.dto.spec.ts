import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Test } from '@nestjs/testing';
import { describe, expect, it } from 'vitest';

import { DegradedSectionOf } from './degraded-section.dto.js';
import type { DegradedSectionDto } from './problem.dto.js';

const PageSectionDto = DegradedSectionOf(['price', 'stock'], { name: 'PageDegradedSectionDto', enumName: 'PageSection' });

class PageMetaDto {
  @ApiProperty({ type: [PageSectionDto] }) degraded: DegradedSectionDto[];
}

class PageDto {
  @ApiProperty({ type: PageMetaDto }) meta: PageMetaDto;
}

@Controller('page')
class PageController {
  @Get()
  @ApiOkResponse({ type: PageDto })
  page(): PageDto {
    return { meta: { degraded: [] } };
  }
}

describe('DegradedSectionOf', () => {
  it('documents the section as a named enum of exactly the given names, under the given schema name', async () => {
    const moduleRef = await Test.createTestingModule({ controllers: [PageController] }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    try {
      const document = SwaggerModule.createDocument(app, new DocumentBuilder().setTitle('t').setVersion('1').build());
      const schemas = document.components?.schemas ?? {};
      expect(schemas.PageSection).toEqual({ type: 'string', enum: ['price', 'stock'] });
      expect(schemas.PageDegradedSectionDto).toMatchObject({
        type: 'object',
        required: ['section', 'reason'],
        properties: { section: { allOf: [{ $ref: '#/components/schemas/PageSection' }] }, reason: { type: 'string' } },
      });
      expect(schemas.PageMetaDto).toMatchObject({
        properties: { degraded: { type: 'array', items: { $ref: '#/components/schemas/PageDegradedSectionDto' } } },
      });
    } finally {
      await app.close();
    }
  });

  it('keeps the run-time shape of a degraded section (a class named after the schema)', () => {
    expect(PageSectionDto.name).toBe('PageDegradedSectionDto');
    const item: DegradedSectionDto = Object.assign(new PageSectionDto(), { section: 'price', reason: 'timeout' });
    expect(item).toEqual({ section: 'price', reason: 'timeout' });
  });
});
