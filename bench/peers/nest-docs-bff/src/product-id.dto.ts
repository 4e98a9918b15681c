import { Matches } from 'class-validator';

/** The `:id` path parameter, validated exactly as web-bff validates it (apps/web-bff/src/pages/product-id.dto.ts). */
export class ProductIdParams {
  @Matches(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, { message: 'id must be 1-64 letters, digits, - or _' })
  id: string;
}
