// Benchmark-only preload: `node --import <this file> dist/apps/<app>/main.js` starts the unchanged
// production build with every `@Protected(...)` route turned into a public one — "the same route
// with auth off", the baseline that prices authentication (JWT verification, API-key lookup and the
// per-client rate limit keyed by the verified identity).
//
// The apps have no switch for this, by design: production code must not be able to run without
// authentication. So the route access metadata (`{ mode: 'protected', strategy, scopes }`, set through
// Reflect.defineMetadata while the controllers are defined) is rewritten to `{ mode: 'public' }` as
// it is recorded — for route handlers (method decorators) only: class-level decisions, such as the
// one CacheAdminModule insists on for its operator routes, stay protected. Nothing else changes.
// The harness verifies the result: the auth-off target must answer 200 without credentials, the
// auth-on one 401 (so a change in how access is declared fails the scenario instead of silently
// measuring the wrong thing).
import 'reflect-metadata';

const define = Reflect.defineMetadata;
const isClass = (target) => typeof target === 'function' && /^class[\s{]/.test(Function.prototype.toString.call(target));
let rewritten = 0;

Reflect.defineMetadata = function defineMetadata(key, value, target, ...rest) {
  if (value !== null && typeof value === 'object' && value.mode === 'protected' && typeof value.strategy === 'string' && !isClass(target)) {
    rewritten++;
    return define.call(this, key, { mode: 'public', reason: `benchmark baseline: auth off (was ${value.strategy})` }, target, ...rest);
  }
  return define.call(this, key, value, target, ...rest);
};

process.once('beforeExit', () => {
  if (rewritten === 0) process.stderr.write('bench auth-off preload: no protected route was found to open\n');
});
