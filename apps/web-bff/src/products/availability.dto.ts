import { ApiProperty } from '@nestjs/swagger';

import { PageAvailabilityDto, PageMetaDto, PagePriceDto } from '../pages/product-page.dto.js';

export class AvailabilityItemDto {
  @ApiProperty() id: string;
  @ApiProperty({ type: PagePriceDto, nullable: true }) price: PagePriceDto | null;
  @ApiProperty({ type: PageAvailabilityDto, nullable: true }) availability: PageAvailabilityDto | null;
}

/** Prices and stock for the products a page already shows (wish list, recently viewed). */
export class AvailabilityDto {
  @ApiProperty({ type: [AvailabilityItemDto] }) items: AvailabilityItemDto[];
  @ApiProperty({ type: PageMetaDto }) meta: PageMetaDto;
}
