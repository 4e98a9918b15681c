/** Methods a remote API may allow. */
export type RemoteApiMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** One remote API the browser may reach at `/api/remote/{name}/{path}`. */
export interface RemoteApiDefinition {
  /**
   * Name of the upstream that carries the calls (declared by the app, e.g. through RetailModule). Its
   * declaration decides the credentials: `auth: 'relay'` gets the signed-in user's token, others never do.
   */
  readonly upstream: string;
  /** Upstream path prefixes the browser may reach, each `/segment[/segment...]`: '/products' allows /products and /products/...; nothing else. */
  readonly paths: readonly string[];
  /** Methods allowed (default GET only). */
  readonly methods?: readonly RemoteApiMethod[];
}

export interface RemoteApiModuleOptions {
  /** By name (the `{api}` path segment): lowercase letters, digits and dashes. */
  readonly apis: Readonly<Record<string, RemoteApiDefinition>>;
}
