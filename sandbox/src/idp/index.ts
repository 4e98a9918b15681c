/** Sandbox OpenID Connect provider: startIdp, its clients and the form-driving test helpers. */
export { idpPublicJwks, startIdp, type Idp, type IdpStats, type StartIdpOptions, type TokenFaultRule } from './idp.ts';
export {
  ACCESS_TOKEN_TYPE,
  ACCOUNT_CLIENTS,
  API_RESOURCE,
  API_SCOPES,
  DEFAULT_WEB_POST_LOGOUT_REDIRECT_URIS,
  DEFAULT_WEB_REDIRECT_URIS,
  MOBILE_APP_CLIENT_ID,
  MOBILE_APP_REDIRECT_URIS,
  MOBILE_BFF_AUDIENCE,
  MOBILE_BFF_RESOURCE,
  OIDC_SCOPES,
  PARTNER_GATEWAY_CLIENT_ID,
  PARTNER_GATEWAY_DEV_SECRET,
  PLATFORM_ADMIN_CLIENT_ID,
  PLATFORM_ADMIN_DEV_SECRET,
  RESOURCE_SERVERS,
  SESSION_ADMIN_AUDIENCE,
  SESSION_ADMIN_RESOURCE,
  SESSION_ADMIN_SCOPES,
  WEB_BFF_CLIENT_ID,
  WEB_BFF_DEV_SECRET,
} from './clients.ts';
export { CookieJar, parseSetCookie, type RequestSite, type SameSite, type StoredCookie } from './cookie-jar.ts';
export {
  browse,
  loginViaForms,
  logoutViaForms,
  parseForms,
  type BrowseOptions,
  type BrowseResult,
  type BrowseStep,
  type HtmlForm,
  type LoginViaFormsOptions,
  type LoginViaFormsResult,
  type LogoutViaFormsOptions,
} from './login-driver.ts';
export {
  CUSTOMER_DATA_SCOPES,
  customerAccessToken,
  partnerAccessToken,
  type CustomerTokenOptions,
  type PartnerTokenOptions,
} from './tokens.ts';
