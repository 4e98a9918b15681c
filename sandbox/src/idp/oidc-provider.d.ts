/**
 * Minimal typings for the parts of oidc-provider 9 the sandbox IdP uses (the package ships none).
 * Referenced with a triple-slash directive from idp.ts so that every program that reaches the
 * sandbox (sandbox/tsconfig.json and the root tsconfig through test/) sees it.
 */
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  export interface KoaContextWithOIDC {
    method: string;
    path: string;
    host: string;
    status: number;
    type: string;
    body: unknown;
    req: IncomingMessage;
    oidc: {
      route?: string;
      params?: Record<string, unknown>;
      client?: ClientLike & { clientName?: string };
      entity(key: string, value: unknown): void;
      urlFor(name: string, options?: Record<string, unknown>): string;
    };
  }

  export interface InteractionDetails {
    uid: string;
    prompt: { name: string; reasons: string[]; details: Record<string, unknown> };
    params: Record<string, unknown> & { client_id: string; scope?: string };
    session?: { accountId: string };
    grantId?: string;
    lastSubmission?: Record<string, unknown>;
  }

  export interface Grant {
    addOIDCScope(scope: string): void;
    addOIDCClaims(claims: string[]): void;
    addResourceScope(resource: string, scope: string): void;
    save(): Promise<string>;
  }

  export interface ClientLike {
    clientId: string;
    grantTypeAllowed(grantType: string): boolean;
    /** Sends a logout token to the client's backchannel_logout_uri (rejects unless it answers 200/204). */
    backchannelLogout(sub: string, sid: string): Promise<void>;
    [key: string]: unknown;
  }

  export default class Provider {
    constructor(issuer: string, configuration: Record<string, unknown>);
    readonly issuer: string;
    proxy: boolean;
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>;
    interactionFinished(
      req: IncomingMessage,
      res: ServerResponse,
      result: Record<string, unknown>,
      options?: { mergeWithLastSubmission?: boolean },
    ): Promise<void>;
    interactionResult(
      req: IncomingMessage,
      res: ServerResponse,
      result: Record<string, unknown>,
      options?: { mergeWithLastSubmission?: boolean },
    ): Promise<string>;
    on(event: string, listener: (...args: never[]) => void): this;
    Grant: {
      new (properties: { accountId: string; clientId: string }): Grant;
      find(id: string): Promise<Grant | undefined>;
    };
    Client: { find(id: string): Promise<ClientLike | undefined> };
    /** Registers a grant type at the token endpoint: `params` are its parameters, `dupes` those that may repeat. */
    registerGrantType(
      name: string,
      handler: (ctx: KoaContextWithOIDC) => Promise<void>,
      params?: string | readonly string[],
      dupes?: string | readonly string[],
    ): void;
    AccessToken: new (properties: {
      accountId: string;
      client: ClientLike;
      gty?: string;
      scope?: string;
      expiresIn?: number;
      resourceServer?: ResourceServer;
    }) => AccessToken;
    ResourceServer: new (identifier: string, info: Record<string, unknown>) => ResourceServer;
  }

  export interface ResourceServer {
    readonly audience?: string;
  }

  export interface AccessToken {
    readonly scope?: string;
    /** Seconds the token lives. */
    readonly expiration: number;
    /** Stores the token; resolves to its value (the JWT, for the JWT format). */
    save(): Promise<string>;
  }

  export const errors: {
    InvalidTarget: new (description?: string) => Error;
    InvalidRequest: new (description?: string) => Error;
    /** The description is logged by the provider; the client always reads "grant request is invalid". */
    InvalidGrant: new (detail?: string) => Error;
    InvalidScope: new (description: string, scope: string) => Error;
    UnauthorizedClient: new (description?: string) => Error;
  };
}
