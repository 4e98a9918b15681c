import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';

import { CurrentUser, SessionProtected } from '@bff/auth';
import { ApiProblemResponses, type Identity } from '@bff/core';

import { MeDto } from './me.dto.js';
import { MeService } from './me.service.js';

@ApiTags('account')
@Controller('api/v1/me')
export class MeController {
  constructor(private readonly me: MeService) {}

  @Get()
  @SessionProtected(['customers:read'])
  @ApiOperation({ summary: "The signed-in customer's account. Requires the session cookie and X-CSRF: 1." })
  @ApiOkResponse({ type: MeDto })
  @ApiProblemResponses(401, 403, 404, 502, 503, 504)
  get(@CurrentUser() user: Identity): Promise<MeDto> {
    return this.me.get(user.subject);
  }
}
