import type { Type } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';

import type { DegradedSectionDto } from './problem.dto.js';

export interface DegradedSectionOfOptions {
  /** Schema name of the item class in the document, e.g. `ProductPageDegradedSectionDto`. */
  readonly name: string;
  /** Schema name of the section-name enum, e.g. `ProductPageSection` (a string union in the generated clients). */
  readonly enumName: string;
}

/**
 * A degraded-section DTO whose `section` is one of `sections`, declared as a named enum, so the OpenAPI
 * document (and every client generated from it) lists exactly the section names a response can report
 * instead of any string. Use it as the `type` of a `degraded` / `stale` property that stays typed
 * `DegradedSectionDto[]` in TypeScript (the aggregator reports sections by name at run time).
 */
export function DegradedSectionOf(sections: readonly [string, ...string[]], options: DegradedSectionOfOptions): Type<DegradedSectionDto> {
  class SectionDto implements DegradedSectionDto {
    @ApiProperty({ enum: sections, enumName: options.enumName, example: sections[0] })
    section: string;

    @ApiProperty({ example: 'timeout', description: 'Why the section is missing or stale.' })
    reason: string;
  }
  // The document names a schema after its class.
  Object.defineProperty(SectionDto, 'name', { value: options.name });
  return SectionDto;
}
