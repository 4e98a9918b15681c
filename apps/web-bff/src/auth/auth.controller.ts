import { Controller, Get, HttpCode, Post, Query, Req, Res } from '@nestjs/common';
import { ApiFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';

import { CurrentUser, LoginFlow, LoginRateLimit, SessionProtected, sessionUserOf, type AuthRedirect } from '@bff/auth';
import { ApiProblemResponses, Public, type Identity } from '@bff/core';

import { LoginQueryDto, LogoutDto, SessionUserDto } from './auth.dto.js';

/** What every sign-in redirect carries (see redirect()). */
const REDIRECT_HEADERS = {
  Location: { description: 'Where the browser goes next.', required: true, schema: { type: 'string' } },
  'Set-Cookie': {
    description:
      'The sealed login cookie `__Host-bff-login-<suffix>` (sign-in), or the session cookie and the cleared login cookie (callback).',
    required: true,
    schema: { type: 'string' },
  },
  'Cache-Control': { description: 'Never stored.', required: true, schema: { type: 'string', enum: ['no-store'] } },
};

function redirect(reply: FastifyReply, result: AuthRedirect): void {
  void reply
    .header('cache-control', 'no-store')
    .header('set-cookie', [...result.cookies])
    .redirect(result.location, 302);
}

/**
 * The browser side of the OpenID Connect token handler. Sign-in and its callback are top-level
 * navigations; /auth/user and /auth/logout are called by the SPA with fetch and `X-CSRF: 1`.
 */
@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly loginFlow: LoginFlow) {}

  @Get('login')
  @Public('Starts the sign-in: a top-level navigation to the identity provider')
  @LoginRateLimit()
  @ApiOperation({
    summary: 'Start sign-in (navigate the window here, do not fetch).',
    description:
      'Redirects to the identity provider (authorization code + PKCE). Ends any session this browser already has. ' +
      'The pending login is sealed in a login cookie of its own (nothing is stored server-side); up to 3 logins (tabs) ' +
      'may be in progress at once, starting another drops the oldest. Limited per client IP (AUTH_LOGIN_RATE_LIMIT).',
  })
  @ApiFoundResponse({
    description: 'Redirect to the identity provider; sets the short-lived login cookie (and clears stale ones).',
    headers: REDIRECT_HEADERS,
  })
  @ApiProblemResponses(400, 503)
  async login(@Query() query: LoginQueryDto, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    redirect(reply, await this.loginFlow.beginLogin(query.returnTo, request.headers));
  }

  @Get('callback')
  @Public('The identity provider returns the browser here; checked by the login cookie, state, PKCE and nonce')
  @ApiOperation({
    summary: 'Sign-in callback (redirect URI registered at the identity provider).',
    description:
      'Opens the login cookie named from the returned state and completes the sign-in; that cookie is cleared whatever happens. ' +
      '400 problems: login-state-missing (no login cookie), login-state-mismatch (none for this state, or another state), ' +
      'login-state-invalid (the cookie does not open: tampered, forged or sealed with another key), login-expired ' +
      '(older than SESSION_LOGIN_TIMEOUT_SECONDS), login-failed (refused by the provider, e.g. a replayed code, or access_denied).',
  })
  @ApiFoundResponse({ description: 'Signed in: a new session cookie, then a redirect to returnTo.', headers: REDIRECT_HEADERS })
  @ApiProblemResponses(400, 503)
  async callback(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const url = request.raw.url ?? '';
    const query = url.includes('?') ? url.slice(url.indexOf('?') + 1) : '';
    redirect(reply, await this.loginFlow.completeLogin(query, request.headers));
  }

  @Get('user')
  @SessionProtected()
  @ApiOperation({ summary: 'The signed-in user (401 when signed out). Requires X-CSRF: 1.' })
  @ApiOkResponse({ type: SessionUserDto })
  @ApiProblemResponses(401, 403, 503)
  user(@CurrentUser() identity: Identity): SessionUserDto {
    const user = sessionUserOf(identity);
    return { ...user, scopes: [...user.scopes] };
  }

  @Post('logout')
  @HttpCode(200)
  @Public("Ends the caller's session when there is one (idempotent); X-CSRF is required like on every POST")
  @ApiOperation({
    summary: 'Sign out. Requires X-CSRF: 1.',
    description:
      'Deletes the server-side session, revokes its refresh token and clears the cookie. Answers the identity provider logout URL ' +
      'instead of redirecting: a fetch cannot follow a cross-origin redirect, the SPA navigates there itself.',
  })
  @ApiOkResponse({
    type: LogoutDto,
    headers: {
      'Set-Cookie': { description: 'Clears the session cookie.', required: true, schema: { type: 'string' } },
      'Cache-Control': REDIRECT_HEADERS['Cache-Control'],
    },
  })
  @ApiProblemResponses(403, 503)
  async logout(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<LogoutDto> {
    const result = await this.loginFlow.logout(request.headers);
    void reply.header('cache-control', 'no-store').header('set-cookie', [...result.cookies]);
    return { endSessionUrl: result.endSessionUrl };
  }
}
