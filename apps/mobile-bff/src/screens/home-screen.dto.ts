import { ApiProperty } from '@nestjs/swagger';

import { ScreenCardDto, ScreenMetaDto } from './screen.dto.js';

export class CategoryNodeDto {
  @ApiProperty({ example: 'cat-01' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ type: () => [CategoryNodeDto], description: 'Sub-categories, in catalogue order.' }) children: CategoryNodeDto[];
}

/** The mobile home screen in one round trip. */
export class HomeScreenDto {
  @ApiProperty({ type: [CategoryNodeDto], description: 'The category tree (top-level categories with their children).' })
  categories: CategoryNodeDto[];
  @ApiProperty({ type: [ScreenCardDto], nullable: true, description: 'Featured products; null when merchandising is unavailable.' })
  featured: ScreenCardDto[] | null;
  @ApiProperty({ type: ScreenMetaDto }) meta: ScreenMetaDto;
}
