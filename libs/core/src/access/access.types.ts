/**
 * Every route states who may call it. A route without a decision is refused (default deny), and
 * a test walks all routes of all apps to make sure none is left undecided.
 */
export type RouteAccess =
  | { readonly mode: 'public'; readonly reason: string }
  | { readonly mode: 'protected'; readonly strategy: string; readonly scopes: readonly string[] };

/** The caller established by an authentication strategy. */
export interface Identity {
  /** Strategy that produced it: 'session', 'jwt', 'api-key'... */
  readonly strategy: string;
  /** Stable subject: the user id, or the partner id for API keys. */
  readonly subject: string;
  readonly scopes: readonly string[];
  /** Partner id when the caller is a partner. */
  readonly partnerId?: string;
  readonly claims: Readonly<Record<string, unknown>>;
}

/** Implemented by libs/auth for each strategy, and registered in the AuthenticatorRegistry. */
export interface Authenticator {
  /** Resolves the caller, or throws a PlatformError of kind 'unauthorized'. */
  authenticate(request: unknown): Promise<Identity>;
}
