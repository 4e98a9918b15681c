import { ApiProperty } from '@nestjs/swagger';
import { Matches } from 'class-validator';

import { RESOURCE_ID_PATTERN } from './resource-id.js';

/** Path parameters of a route about one catalog product (`:id`). */
export class ProductIdParams {
  @ApiProperty({ example: 'p-00001', description: 'Catalog product id.', pattern: RESOURCE_ID_PATTERN.source, maxLength: 64 })
  @Matches(RESOURCE_ID_PATTERN, { message: 'id must be 1-64 letters, digits, - or _' })
  id: string;
}
