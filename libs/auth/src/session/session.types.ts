/** What the BFF keeps server-side for one signed-in browser. Tokens never leave the server. */
export interface SessionRecord {
  /** Subject (`sub`) of the ID token. */
  readonly sub: string;
  /** The provider's session id (`sid` of the ID token), when it states one: back-channel logout names it. */
  readonly sid?: string;
  /** Whitelisted ID-token claims shown to the SPA (email, name...). */
  readonly claims: Readonly<Record<string, unknown>>;
  /** Scopes granted to the access token. */
  readonly scopes: readonly string[];
  readonly accessToken: string;
  /** Epoch ms. */
  readonly accessTokenExpiresAt: number;
  /** Epoch ms at which the current tokens were issued to us (bounds the refresh skew). */
  readonly tokensObtainedAt: number;
  readonly refreshToken?: string;
  /** Epoch ms; the refresh token's own end when the provider states it (`refresh_expires_in`). */
  readonly refreshTokenExpiresAt?: number;
  /** Epoch ms. */
  readonly createdAt: number;
  /** Epoch ms of the last (recorded) use; drives the idle timeout. */
  readonly lastSeenAt: number;
  /** Epoch ms after which the session is over whatever its use. */
  readonly absoluteExpiresAt: number;
}

/** A login between /auth/login and /auth/callback, sealed in the browser's login cookie (LoginStateSealer). */
export interface PendingLogin {
  readonly state: string;
  readonly nonce: string;
  readonly codeVerifier: string;
  readonly returnTo: string;
  readonly createdAt: number;
}

/** Inbound request headers, as Fastify gives them. */
export type RequestHeaders = Readonly<Record<string, string | string[] | undefined>>;
