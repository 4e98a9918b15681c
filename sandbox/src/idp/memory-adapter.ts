/**
 * oidc-provider storage adapter keeping everything in memory, one store per IdP instance (two
 * IdPs in one process share nothing). Same contract as oidc-provider's development adapter,
 * without its "not for production" warning: the sandbox is never production.
 */

type Payload = Record<string, unknown> & { grantId?: string; userCode?: string; uid?: string; consumed?: number };

interface Entry {
  payload: Payload;
  expiresAt: number | undefined;
}

export type AdapterFactory = ((model: string) => MemoryAdapter) & {
  /** Ends every grant of `accountId`: the grants and every token issued under them. Returns how many grants ended. */
  revokeAccount(accountId: string): number;
  /** The live IdP sessions of `accountId`: id and, per client, the `sid` it was given. */
  sessionsOf(accountId: string): Array<{ id: string; authorizations: Record<string, { sid?: string }> }>;
  /** Deletes an IdP session (the browser's SSO cookie then names nothing). */
  endSession(id: string): void;
};

export class MemoryAdapter {
  readonly #model: string;
  readonly #store: Map<string, Entry>;

  constructor(model: string, store: Map<string, Entry>) {
    this.#model = model;
    this.#store = store;
  }

  /** A factory bound to a fresh store. */
  static factory(): AdapterFactory {
    const store = new Map<string, Entry>();
    const revokeAccount = (accountId: string): number => {
      const grants = [...store.entries()].filter(([key, entry]) => key.startsWith('Grant:') && entry.payload['accountId'] === accountId);
      for (const [key] of grants) {
        const grantId = key.slice('Grant:'.length);
        for (const member of (store.get(`grant:${grantId}`)?.payload as { keys?: string[] } | undefined)?.keys ?? []) store.delete(member);
        store.delete(`grant:${grantId}`);
        store.delete(key);
      }
      return grants.length;
    };
    const sessionsOf = (accountId: string): Array<{ id: string; authorizations: Record<string, { sid?: string }> }> => {
      const now = Date.now();
      return [...store.entries()]
        .filter(
          ([key, entry]) =>
            key.startsWith('Session:') &&
            entry.payload['accountId'] === accountId &&
            (entry.expiresAt === undefined || entry.expiresAt > now),
        )
        .map(([key, entry]) => ({
          id: key.slice('Session:'.length),
          authorizations: (entry.payload['authorizations'] ?? {}) as Record<string, { sid?: string }>,
        }));
    };
    const endSession = (id: string): void => {
      const entry = store.get(`Session:${id}`);
      if (entry?.payload.uid) store.delete(`uid:${entry.payload.uid}`);
      store.delete(`Session:${id}`);
    };
    return Object.assign((model: string) => new MemoryAdapter(model, store), { revokeAccount, sessionsOf, endSession });
  }

  #key(id: string): string {
    return `${this.#model}:${id}`;
  }

  #read(key: string): Payload | undefined {
    const entry = this.#store.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt !== undefined && entry.expiresAt <= Date.now()) {
      this.#store.delete(key);
      return undefined;
    }
    return entry.payload;
  }

  #purgeExpired(): void {
    const now = Date.now();
    for (const [key, entry] of this.#store) if (entry.expiresAt !== undefined && entry.expiresAt <= now) this.#store.delete(key);
  }

  upsert(id: string, payload: Payload, expiresIn: number | undefined): Promise<void> {
    if (this.#store.size > 10_000) this.#purgeExpired();
    const expiresAt = expiresIn ? Date.now() + expiresIn * 1000 : undefined;
    this.#store.set(this.#key(id), { payload, expiresAt });
    if (payload.grantId) {
      const grantKey = `grant:${payload.grantId}`;
      const members = (this.#read(grantKey) as { keys?: string[] } | undefined)?.keys ?? [];
      members.push(this.#key(id));
      this.#store.set(grantKey, { payload: { keys: members }, expiresAt });
    }
    if (payload.userCode) this.#store.set(`userCode:${payload.userCode}`, { payload: { id }, expiresAt });
    if (payload.uid) this.#store.set(`uid:${payload.uid}`, { payload: { id }, expiresAt });
    return Promise.resolve();
  }

  find(id: string): Promise<Payload | undefined> {
    return Promise.resolve(this.#read(this.#key(id)));
  }

  async findByUserCode(userCode: string): Promise<Payload | undefined> {
    const ref = this.#read(`userCode:${userCode}`) as { id?: string } | undefined;
    return ref?.id ? this.find(ref.id) : undefined;
  }

  async findByUid(uid: string): Promise<Payload | undefined> {
    const ref = this.#read(`uid:${uid}`) as { id?: string } | undefined;
    return ref?.id ? this.find(ref.id) : undefined;
  }

  consume(id: string): Promise<void> {
    const payload = this.#read(this.#key(id));
    if (payload) payload.consumed = Math.floor(Date.now() / 1000);
    return Promise.resolve();
  }

  destroy(id: string): Promise<void> {
    this.#store.delete(this.#key(id));
    return Promise.resolve();
  }

  revokeByGrantId(grantId: string): Promise<void> {
    const grantKey = `grant:${grantId}`;
    const members = (this.#read(grantKey) as { keys?: string[] } | undefined)?.keys ?? [];
    for (const key of members) this.#store.delete(key);
    this.#store.delete(grantKey);
    return Promise.resolve();
  }
}
