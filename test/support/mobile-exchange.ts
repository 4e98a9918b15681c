import { API_RESOURCE, MOBILE_BFF_AUDIENCE, MOBILE_BFF_CLIENT_ID, MOBILE_BFF_DEV_SECRET, type Sandbox } from '../../sandbox/src/index.ts';

/** Every scope the mobile app's screens use (catalogue, cart, checkout, orders). */
export const MOBILE_APP_SCOPES = 'catalog:read cart:write orders:read orders:write';

/**
 * mobile-bff's settings against a sandbox: bearer tokens of its IdP for the mobile-bff audience, exchanged
 * (RFC 8693) by the sandbox's `mobile-bff` client for the retail API on carts and orders calls.
 */
export function mobileExchangeEnv(sandbox: Sandbox): Record<string, string> {
  return {
    JWT_ISSUER: sandbox.idp!.issuer,
    JWT_AUDIENCE: MOBILE_BFF_AUDIENCE,
    JWT_TOKEN_EXCHANGE_CLIENT_ID: MOBILE_BFF_CLIENT_ID,
    JWT_TOKEN_EXCHANGE_CLIENT_SECRET: MOBILE_BFF_DEV_SECRET,
    JWT_TOKEN_EXCHANGE_RESOURCE: API_RESOURCE,
    JWT_TOKEN_EXCHANGE_SCOPE: 'cart:write orders:read orders:write',
  };
}
