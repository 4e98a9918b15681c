import { Controller, Delete, Get, HttpCode, Param, Query } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';

import { SessionAdminProtected, SessionDirectory, type SessionSummary } from '@bff/auth';
import { PlatformError } from '@bff/core';

import { SessionHandleParams, SessionsQueryDto, type SessionView } from './sessions-admin.dto.js';

const view = (s: SessionSummary): SessionView => ({
  handle: s.handle,
  sub: s.sub,
  createdAt: new Date(s.createdAt).toISOString(),
  lastSeenAt: new Date(s.lastSeenAt).toISOString(),
  expiresAt: new Date(s.expiresAt).toISOString(),
});

/**
 * Operator routes of the platform team: a user's sessions, and ending them on every instance
 * sharing the session store (their refresh tokens are revoked at the provider too). Bearer token
 * of the provider with aud SESSION_ADMIN_AUDIENCE and scope sessions:admin (404 when unset). Not in the public OpenAPI
 * document (like the cache admin routes).
 */
@ApiExcludeController()
@Controller('admin/sessions')
@SessionAdminProtected()
export class SessionsAdminController {
  constructor(private readonly sessions: SessionDirectory) {}

  @Get()
  async list(@Query() query: SessionsQueryDto): Promise<{ sub: string; items: SessionView[] }> {
    return { sub: query.sub, items: (await this.sessions.list(query.sub)).map(view) };
  }

  @Delete()
  @HttpCode(200)
  async revokeAll(@Query() query: SessionsQueryDto): Promise<{ sub: string; revoked: number }> {
    return { sub: query.sub, revoked: await this.sessions.endAllOf(query.sub, { revoke: true }) };
  }

  @Delete(':handle')
  @HttpCode(204)
  async revoke(@Param() params: SessionHandleParams): Promise<void> {
    if (!(await this.sessions.end(params.handle, { revoke: true }))) {
      throw new PlatformError('not_found', 'SESSION_NOT_FOUND', 'No live session with this handle', {
        publicDetail: 'No live session has this handle.',
      });
    }
  }
}
