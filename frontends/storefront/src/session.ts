import { ProblemError, send, type components, type WebBffClient } from '@bff-clients/web-bff';

export type SessionUser = components['schemas']['SessionUserDto'];

export interface Session {
  readonly user: SessionUser | null;
}

/** The signed-in user (GET /auth/user), or null when there is no session (401). */
export async function loadSession(api: WebBffClient): Promise<Session> {
  try {
    const { data } = await send(api.GET('/auth/user'));
    return { user: data };
  } catch (error) {
    if (error instanceof ProblemError && error.status === 401) return { user: null };
    throw error;
  }
}

/**
 * Ends the session at web-bff (POST with the CSRF header), then leaves for the provider's end-session
 * page when there is one (a fetch cannot follow that cross-origin redirect; see docs/auth.md).
 */
export async function signOut(api: WebBffClient): Promise<string> {
  const { data } = await send(api.POST('/auth/logout'));
  return data.endSessionUrl ?? '/';
}
