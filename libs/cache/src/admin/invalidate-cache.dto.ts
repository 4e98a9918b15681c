import { ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsString, Matches, ValidateIf } from 'class-validator';

import { CACHE_NAME_PATTERN } from '../cache.constants.js';

const NAME_MESSAGE = 'each entry must be 1-256 characters: letters, digits, : _ . - /';

/** Body of POST <admin path>/invalidate: at least one of `keys` and `tags`. */
export class InvalidateCacheDto {
  @ApiPropertyOptional({ type: [String], description: 'Exact cache keys (e.g. rt:web-bff:<hash>).', maxItems: 100 })
  @ValidateIf((body: InvalidateCacheDto) => body.keys !== undefined || body.tags === undefined)
  @IsArray({ message: 'keys must be an array of cache keys (or give tags)' })
  @ArrayMinSize(1, { message: 'keys must list at least one key (or give tags)' })
  @ArrayMaxSize(100, { message: 'keys may list at most 100 keys' })
  @IsString({ each: true, message: NAME_MESSAGE })
  @Matches(CACHE_NAME_PATTERN, { each: true, message: NAME_MESSAGE })
  keys?: string[];

  @ApiPropertyOptional({ type: [String], description: 'Tags, e.g. product:p-00001.', maxItems: 100 })
  @ValidateIf((body: InvalidateCacheDto) => body.tags !== undefined || body.keys === undefined)
  @IsArray({ message: 'tags must be an array of tags (or give keys)' })
  @ArrayMinSize(1, { message: 'tags must list at least one tag (or give keys)' })
  @ArrayMaxSize(100, { message: 'tags may list at most 100 tags' })
  @IsString({ each: true, message: NAME_MESSAGE })
  @Matches(CACHE_NAME_PATTERN, { each: true, message: NAME_MESSAGE })
  tags?: string[];
}

export interface InvalidateCacheResult {
  /** Entries removed, counted per tier (memory and Redis). */
  readonly removed: number;
  /** `ok`: Redis and every instance's memory were reached; `none`: memory-only store (this instance). */
  readonly shared: 'ok' | 'none';
}
