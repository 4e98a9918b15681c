import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, Matches } from 'class-validator';

import { RESOURCE_ID_PATTERN } from './resource-id.js';

/** Body of batch lookups: 1 to 50 distinct resource ids. */
export class IdListDto {
  @ApiProperty({
    type: 'array',
    items: { type: 'string', pattern: RESOURCE_ID_PATTERN.source, maxLength: 64 },
    minItems: 1,
    maxItems: 50,
    uniqueItems: true,
    example: ['p-00001', 'p-00002'],
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @ArrayUnique()
  @Matches(RESOURCE_ID_PATTERN, { each: true, message: 'each id must be 1-64 letters, digits, - or _' })
  ids: string[];
}
