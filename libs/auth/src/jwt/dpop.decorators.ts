import { ApiHeader } from '@nestjs/swagger';

import { MAX_PROOF_LENGTH } from './dpop.js';

/** Documents the optional `DPoP` proof header (RFC 9449) on routes protected by the 'jwt' strategy. */
export function ApiDpopProof(): MethodDecorator & ClassDecorator {
  return ApiHeader({
    name: 'DPoP',
    required: false,
    description:
      'DPoP proof (RFC 9449) sent with `Authorization: DPoP <token>`: a JWT signed by the key the token is bound to (`cnf.jkt`), ' +
      'with `typ: dpop+jwt`, the public `jwk` in its header, and the claims `jti` (single use), `htm`, `htu` (this URL without query), ' +
      '`iat` and `ath`. Not sent with plain bearer tokens.',
    schema: { type: 'string', maxLength: MAX_PROOF_LENGTH },
  });
}
