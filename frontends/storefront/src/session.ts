import { unwrap, type ApiClient, type components } from './api/client.ts';
import { ApiError } from './api/problem.ts';

export type SessionUser = components['schemas']['SessionUserDto'];

export interface Session {
  readonly user: SessionUser | null;
}

/** The signed-in user (GET /auth/user), or null when there is no session (401). */
export async function loadSession(api: ApiClient): Promise<Session> {
  try {
    const { data } = await unwrap(api.GET('/auth/user'));
    return { user: data };
  } catch (error) {
    if (error instanceof ApiError && error.problem.status === 401) return { user: null };
    throw error;
  }
}

/**
 * Ends the session at web-bff (POST with the CSRF header), then leaves for the provider's end-session
 * page when there is one (a fetch cannot follow that cross-origin redirect; see docs/auth.md).
 */
export async function signOut(api: ApiClient): Promise<string> {
  const { data } = await unwrap(api.POST('/auth/logout'));
  return data.endSessionUrl ?? '/';
}
