/**
 * Static OIDC settings for web-bff suites that never sign in: web-bff validates its session-client
 * configuration at boot, and only contacts the IdP on first use (`.invalid` never resolves; the
 * background discovery prefetch just logs a warning). Kept free of app imports so that suites
 * spawning the built apps can use it cheaply.
 */
export const WEB_AUTH_OFFLINE_ENV: Readonly<Record<string, string>> = {
  OIDC_ISSUER_URL: 'https://idp.invalid',
  OIDC_CLIENT_ID: 'web-bff',
  OIDC_CLIENT_SECRET: 'web-bff-dev-secret',
  OIDC_REDIRECT_URI: 'https://shop.example.com/auth/callback',
};
