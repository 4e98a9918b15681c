import { Injectable } from '@nestjs/common';

import { InjectUpstream, UpstreamClient } from '@bff/upstream';

import type { Customer } from '../retail.types.js';
import { enc, type CallOptions } from './call-options.js';

/** Adapter for the customers service (user data: declared `auth: 'relay'`). */
@Injectable()
export class CustomersApi {
  constructor(@InjectUpstream('customers') private readonly http: UpstreamClient) {}

  /** `GET /customers/{id}`. */
  getCustomer(id: string, options: CallOptions = {}): Promise<Customer> {
    return this.http.getJson<Customer>(`/customers/${enc(id)}`, options);
  }
}
