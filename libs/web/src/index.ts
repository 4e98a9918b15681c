/**
 * @bff/web: browser-side platform features for any browser BFF (docs/frontend.md).
 * - SpaModule + spaEnv: the built SPA served at the BFF's origin (SPA_DIR), CSP, caching, client-side routes.
 * - RemoteApiModule + remoteApiEnv: `/api/remote/{api}/{path}` forwarded to allowlisted upstream paths
 *   (session + CSRF, token relay per upstream declaration, header and body hygiene).
 * - Policy helpers, exported for tests and other hosts: spaContentSecurityPolicy, cacheControlFor, isClientRoute.
 */
export { SpaModule } from './spa/spa.module.js';
export { cacheControlFor, isClientRoute, spaContentSecurityPolicy } from './spa/spa-policy.js';
export { RemoteApiEnv, remoteApiEnv, SpaEnv, spaEnv } from './web.env.js';
export { RemoteApiModule } from './remote-api/remote-api.module.js';
export type { RemoteApiDefinition, RemoteApiMethod, RemoteApiModuleOptions } from './remote-api/remote-api.types.js';
