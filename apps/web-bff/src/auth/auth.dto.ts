import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';

import { RETURN_TO_MAX_LENGTH } from '@bff/auth';

export class LoginQueryDto {
  @ApiPropertyOptional({
    description: 'Path of this site to land on after sign-in (default /). Absolute and scheme-relative URLs are refused.',
    example: '/account/orders',
    maxLength: RETURN_TO_MAX_LENGTH,
  })
  @IsOptional()
  @IsString()
  @MaxLength(RETURN_TO_MAX_LENGTH)
  returnTo?: string;
}

/** The signed-in user, from the ID token. No token ever reaches the browser. */
export class SessionUserDto {
  @ApiProperty({ description: 'Subject: the customer id.', example: 'c-0001' }) sub: string;
  @ApiPropertyOptional({ example: 'alice@example.com' }) email?: string;
  @ApiPropertyOptional() emailVerified?: boolean;
  @ApiPropertyOptional({ example: 'Alice Anderson' }) name?: string;
  @ApiPropertyOptional({ example: 'Alice' }) givenName?: string;
  @ApiPropertyOptional({ example: 'Anderson' }) familyName?: string;
  @ApiPropertyOptional({ example: 'en-GB' }) locale?: string;
  @ApiProperty({ type: [String], description: 'API scopes granted to the session.', example: ['customers:read'] }) scopes: string[];
}

export class LogoutDto {
  @ApiProperty({
    type: String,
    nullable: true,
    description:
      "The identity provider's logout URL. Navigate the window to it (window.location.assign) to end the provider session too; " +
      'the provider then returns the browser to the post-logout page. Null when the provider offers none.',
  })
  endSessionUrl: string | null;
}
