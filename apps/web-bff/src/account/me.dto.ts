import { ApiProperty } from '@nestjs/swagger';

/** The signed-in customer's account, from the customers service (called with the user's own token). */
export class MeDto {
  @ApiProperty({ example: 'c-0001' }) id: string;
  @ApiProperty({ example: 'alice@example.com' }) email: string;
  @ApiProperty({ example: 'Alice' }) givenName: string;
  @ApiProperty({ example: 'Anderson' }) familyName: string;
  @ApiProperty({ enum: ['standard', 'gold', 'platinum'] }) tier: string;
  @ApiProperty({ example: 'en-GB' }) locale: string;
  @ApiProperty({ format: 'date-time' }) memberSince: string;
}
