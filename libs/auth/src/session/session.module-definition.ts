import { ConfigurableModuleBuilder } from '@nestjs/common';

export interface SessionAuthModuleOptions {
  /** Scopes requested at login: OpenID scopes plus the API scopes the app's routes need. Default: openid profile email. */
  readonly scopes?: readonly string[];
  /** Where the browser lands after login when /auth/login has no returnTo (a same-origin path). Default '/'. */
  readonly defaultReturnTo?: string;
  /** ID-token claims kept in the session and shown at /auth/user. Default: sub, email, email_verified, name, given_name, family_name, locale. */
  readonly userClaims?: readonly string[];
  /** Fetch the provider's discovery document at boot, in the background (default true). */
  readonly prefetchDiscovery?: boolean;
}

export const {
  ConfigurableModuleClass: SessionAuthConfigurableModule,
  MODULE_OPTIONS_TOKEN: SESSION_AUTH_OPTIONS,
  OPTIONS_TYPE: SESSION_AUTH_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<SessionAuthModuleOptions>({ moduleName: 'SessionAuth' }).setClassMethodName('forRoot').build();
