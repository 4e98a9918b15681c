import { ApiProperty } from '@nestjs/swagger';

import { DegradedSectionDto, DegradedSectionOf } from '@bff/core';

import { PageAvailabilityDto, PagePriceDto } from '../pages/product-page.dto.js';

const AvailabilityDegradedSectionDto = DegradedSectionOf(['prices', 'stock'], {
  name: 'AvailabilityDegradedSectionDto',
  enumName: 'AvailabilitySection',
});

export class AvailabilityMetaDto {
  @ApiProperty({ type: [AvailabilityDegradedSectionDto], description: 'Lookups that failed: every price / availability is then null.' })
  degraded: DegradedSectionDto[];
}

export class AvailabilityItemDto {
  @ApiProperty() id: string;
  @ApiProperty({ type: PagePriceDto, nullable: true }) price: PagePriceDto | null;
  @ApiProperty({ type: PageAvailabilityDto, nullable: true }) availability: PageAvailabilityDto | null;
}

/** Prices and stock for the products a page already shows (wish list, recently viewed). */
export class AvailabilityDto {
  @ApiProperty({ type: [AvailabilityItemDto] }) items: AvailabilityItemDto[];
  @ApiProperty({ type: AvailabilityMetaDto }) meta: AvailabilityMetaDto;
}
