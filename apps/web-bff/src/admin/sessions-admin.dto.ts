import { IsString, Matches, MaxLength, MinLength } from 'class-validator';

import { HANDLE_PATTERN } from '@bff/auth';

export class SessionsQueryDto {
  /** Subject (`sub`) whose sessions are listed or ended. */
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  sub: string;
}

export class SessionHandleParams {
  /** A session handle as listed by GET /admin/sessions. */
  @Matches(HANDLE_PATTERN, { message: 'handle must be a session handle (43 base64url characters)' })
  handle: string;
}

/** One session, for operators: never a token or a cookie value. */
export interface SessionView {
  readonly handle: string;
  readonly sub: string;
  /** ISO 8601 instants. */
  readonly createdAt: string;
  readonly lastSeenAt: string;
  readonly expiresAt: string;
}
