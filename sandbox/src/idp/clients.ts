/**
 * The sandbox IdP's registered clients, scopes and resource servers. Every secret here is a
 * published DEVELOPMENT secret of the sandbox; no real deployment may ever use one.
 */

/** API audience of the retail upstream services: access tokens the web BFF relays carry it. */
export const API_RESOURCE = 'https://api.retail.example';
/** Resource indicator of the mobile BFF; its access tokens carry `aud: "mobile-bff"`. */
export const MOBILE_BFF_RESOURCE = 'https://mobile-bff.retail.example';
export const MOBILE_BFF_AUDIENCE = 'mobile-bff';
/** Resource indicator of web-bff's session admin routes; its access tokens carry `aud: "web-bff-admin"` (SESSION_ADMIN_AUDIENCE). */
export const SESSION_ADMIN_RESOURCE = 'https://web-bff.retail.example/admin';
export const SESSION_ADMIN_AUDIENCE = 'web-bff-admin';
/** The scope of the session admin routes. */
export const SESSION_ADMIN_SCOPES = ['sessions:admin'] as const;

/** Scopes understood by the retail APIs (carried by JWT access tokens in `scope`). */
export const API_SCOPES = ['catalog:read', 'customers:read', 'orders:read', 'orders:write', 'cart:write'] as const;
/** JWT type of every access token the IdP issues (RFC 9068); the retail services require it. */
export const ACCESS_TOKEN_TYPE = 'at+jwt';

/** OpenID Connect scopes. `offline_access` needs `prompt=consent` (OpenID Connect Core 11). */
export const OIDC_SCOPES = ['openid', 'profile', 'email', 'offline_access'] as const;

export const WEB_BFF_CLIENT_ID = 'web-bff';
/** DEV secret of the web BFF client (client_secret_basic). Never use it outside the sandbox. */
export const WEB_BFF_DEV_SECRET = 'web-bff-dev-secret';
export const MOBILE_APP_CLIENT_ID = 'mobile-app';
export const PARTNER_GATEWAY_CLIENT_ID = 'partner-gateway';
/** DEV secret of the partner gateway client (client_credentials). Never use it outside the sandbox. */
export const PARTNER_GATEWAY_DEV_SECRET = 'partner-gateway-dev-secret';
/**
 * Clients that may name an `account` (a customer id) in a client-credentials token request: the
 * token then carries an `account` claim and the retail services show it that customer's data only.
 * The partner gateway authenticates partners itself and acts for the account each one is bound to.
 */
export const ACCOUNT_CLIENTS: ReadonlySet<string> = new Set([PARTNER_GATEWAY_CLIENT_ID]);
/** mobile-bff itself (confidential): exchanges a caller's mobile token for a retail API token (RFC 8693). */
export const MOBILE_BFF_CLIENT_ID = 'mobile-bff';
/** DEV secret of the mobile-bff client. Never use it outside the sandbox. */
export const MOBILE_BFF_DEV_SECRET = 'mobile-bff-dev-secret';
/** OAuth 2.0 Token Exchange grant type (RFC 8693 §2.1). */
export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
/** Token type identifier of an access token (RFC 8693 §3): the only subject and issued token type. */
export const ACCESS_TOKEN_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

/** What a client may obtain by token exchange: whose tokens it may exchange, for which resource, with which scopes at most. */
export interface TokenExchangePolicy {
  /** `aud` the subject token must carry: a token issued for this client's own API. */
  readonly subjectAudience: string;
  /** Resource indicator of the issued token. */
  readonly resource: string;
  /** The most the issued token may carry (further narrowed by the subject token's own scopes). */
  readonly scopes: readonly string[];
}

/** Clients allowed the token-exchange grant, and what each may obtain. */
export const TOKEN_EXCHANGE_POLICIES: Readonly<Record<string, TokenExchangePolicy>> = {
  [MOBILE_BFF_CLIENT_ID]: {
    subjectAudience: MOBILE_BFF_AUDIENCE,
    resource: API_RESOURCE,
    scopes: ['customers:read', 'cart:write', 'orders:read', 'orders:write'],
  },
};

/** The platform team's client (client_credentials) for web-bff's session admin routes. */
export const PLATFORM_ADMIN_CLIENT_ID = 'platform-admin';
/** DEV secret of the platform-admin client. Never use it outside the sandbox. */
export const PLATFORM_ADMIN_DEV_SECRET = 'platform-admin-dev-secret';

/** Default redirect URIs of the mobile app: RFC 8252 loopback (any port) and a private-use scheme. */
export const MOBILE_APP_REDIRECT_URIS = ['http://127.0.0.1/callback', 'com.example.retail:/oauth2/callback'] as const;

export const DEFAULT_WEB_REDIRECT_URIS = ['http://localhost:3000/auth/callback', 'http://127.0.0.1:3000/auth/callback'] as const;
export const DEFAULT_WEB_POST_LOGOUT_REDIRECT_URIS = [
  'http://localhost:3000/',
  'http://127.0.0.1:3000/',
  'http://localhost:5173/',
] as const;

export interface ResourceServerSpec {
  /** `aud` of the access tokens issued for this resource. */
  readonly audience: string;
  /** Scopes the resource server accepts (space-separated). */
  readonly scopes: readonly string[];
}

export const RESOURCE_SERVERS: Readonly<Record<string, ResourceServerSpec>> = {
  [API_RESOURCE]: { audience: API_RESOURCE, scopes: API_SCOPES },
  [MOBILE_BFF_RESOURCE]: { audience: MOBILE_BFF_AUDIENCE, scopes: API_SCOPES },
  [SESSION_ADMIN_RESOURCE]: { audience: SESSION_ADMIN_AUDIENCE, scopes: SESSION_ADMIN_SCOPES },
};

/** Resource used when a client names none (authorization, token and client-credentials requests). */
export const DEFAULT_RESOURCE_BY_CLIENT: Readonly<Record<string, string>> = {
  [WEB_BFF_CLIENT_ID]: API_RESOURCE,
  [MOBILE_APP_CLIENT_ID]: MOBILE_BFF_RESOURCE,
  [PARTNER_GATEWAY_CLIENT_ID]: API_RESOURCE,
  [PLATFORM_ADMIN_CLIENT_ID]: SESSION_ADMIN_RESOURCE,
};

/** The resources each client may ask tokens for (a client not listed: any). */
export const ALLOWED_RESOURCES_BY_CLIENT: Readonly<Record<string, readonly string[]>> = {
  [PLATFORM_ADMIN_CLIENT_ID]: [SESSION_ADMIN_RESOURCE],
};

export interface ClientOptions {
  readonly webRedirectUris: readonly string[];
  readonly webPostLogoutRedirectUris: readonly string[];
  readonly mobileRedirectUris: readonly string[];
  /** web-bff's back-channel logout endpoint (`<web-bff>/auth/backchannel-logout`), when it should receive logout tokens. */
  readonly webBackchannelLogoutUri?: string;
}

/**
 * Client metadata (RFC 7591 names) as oidc-provider expects them. `scope` lists OpenID scopes only:
 * API scopes belong to the resource servers above.
 */
export function clientMetadata(options: ClientOptions): Record<string, unknown>[] {
  return [
    {
      client_id: WEB_BFF_CLIENT_ID,
      client_name: 'Retail web shop (web-bff)',
      client_secret: WEB_BFF_DEV_SECRET,
      token_endpoint_auth_method: 'client_secret_basic',
      application_type: 'web',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: [...options.webRedirectUris],
      post_logout_redirect_uris: [...options.webPostLogoutRedirectUris],
      scope: OIDC_SCOPES.join(' '),
      // ID tokens then carry `sid`, and logout tokens name it.
      ...(options.webBackchannelLogoutUri
        ? { backchannel_logout_uri: options.webBackchannelLogoutUri, backchannel_logout_session_required: true }
        : {}),
    },
    {
      client_id: MOBILE_APP_CLIENT_ID,
      client_name: 'Retail mobile app',
      token_endpoint_auth_method: 'none',
      application_type: 'native',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: [...options.mobileRedirectUris],
      scope: OIDC_SCOPES.join(' '),
    },
    {
      client_id: PARTNER_GATEWAY_CLIENT_ID,
      client_name: 'Partner gateway',
      client_secret: PARTNER_GATEWAY_DEV_SECRET,
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
    },
    {
      client_id: MOBILE_BFF_CLIENT_ID,
      client_name: 'Mobile BFF (token exchange)',
      client_secret: MOBILE_BFF_DEV_SECRET,
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: [TOKEN_EXCHANGE_GRANT],
      response_types: [],
      redirect_uris: [],
    },
    {
      client_id: PLATFORM_ADMIN_CLIENT_ID,
      client_name: 'Platform team (session admin)',
      client_secret: PLATFORM_ADMIN_DEV_SECRET,
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
    },
  ];
}
