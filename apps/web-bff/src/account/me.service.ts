import { Injectable } from '@nestjs/common';

import { CustomersApi } from '@bff/retail';

import type { MeDto } from './me.dto.js';

@Injectable()
export class MeService {
  constructor(private readonly customers: CustomersApi) {}

  /** The customers service is declared `auth: 'relay'`: the call carries the session's access token. */
  async get(customerId: string): Promise<MeDto> {
    const customer = await this.customers.getCustomer(customerId);
    return {
      id: customer.id,
      email: customer.email,
      givenName: customer.givenName,
      familyName: customer.familyName,
      tier: customer.tier,
      locale: customer.locale,
      memberSince: customer.createdAt,
    };
  }
}
