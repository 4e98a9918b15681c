import { ApiProperty } from '@nestjs/swagger';
import { Matches } from 'class-validator';

export class ProductIdParams {
  @ApiProperty({ example: 'p-00001', description: 'Catalog product id.' })
  @Matches(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, { message: 'id must be 1-64 letters, digits, - or _' })
  id: string;
}
