import { Injectable } from '@nestjs/common';

import type { Authenticator } from './access.types.js';

/** libs/auth registers one authenticator per strategy name ('session', 'jwt', 'api-key'). */
@Injectable()
export class AuthenticatorRegistry {
  private readonly authenticators = new Map<string, Authenticator>();

  register(strategy: string, authenticator: Authenticator): void {
    if (this.authenticators.has(strategy)) throw new Error(`Authenticator '${strategy}' is registered twice`);
    this.authenticators.set(strategy, authenticator);
  }

  get(strategy: string): Authenticator | undefined {
    return this.authenticators.get(strategy);
  }
}
