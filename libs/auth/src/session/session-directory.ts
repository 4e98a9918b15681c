import { Inject, Injectable, Logger } from '@nestjs/common';

import { OidcClient } from './oidc-client.js';
import { errorMessage, storeCall } from './session-errors.js';
import { digest, handleKey } from './session-record.js';
import { SessionConfig } from './session.config.js';
import { SESSION_STORE } from './session.constants.js';
import type { SessionStore } from './session.store.js';
import type { SessionRecord } from './session.types.js';

/** One session as operators see it: no token, no cookie value. */
export interface SessionSummary {
  /** Names the session (digest of its id, as in its store key). */
  readonly handle: string;
  readonly sub: string;
  /** Epoch ms. */
  readonly createdAt: number;
  readonly lastSeenAt: number;
  /** When it ends unless used again: the idle timeout from its last use, capped by the absolute one (epoch ms). */
  readonly expiresAt: number;
}

/** Store keys of the secondary indexes (digests: bounded length, no provider value in a key). */
const subIndex = (sub: string): string => `u:${digest(sub)}`;
const sidIndex = (sid: string): string => `sid:${digest(sid)}`;

/**
 * The sessions of a subject and of a provider session (`sid`), kept as secondary indexes in the
 * session store next to the records (memory, or Redis shared by every instance, so ending a
 * session here ends it on all of them: each request reads its record from the store). Index
 * members whose record has expired are pruned when read.
 */
@Injectable()
export class SessionDirectory {
  private readonly logger = new Logger('SessionDirectory');

  constructor(
    private readonly config: SessionConfig,
    private readonly oidc: OidcClient,
    @Inject(SESSION_STORE) private readonly store: SessionStore,
  ) {}

  /** Lists a new session under its subject and provider session; the indexes live as long as the session can. */
  async register(handle: string, record: SessionRecord, now: number): Promise<void> {
    const ttl = Math.max(1_000, record.absoluteExpiresAt - now);
    await storeCall(() => this.store.addToIndex(subIndex(record.sub), handle, ttl));
    if (record.sid) await storeCall(() => this.store.addToIndex(sidIndex(record.sid!), handle, ttl));
  }

  /** Removes an ended session from its indexes. */
  async unregister(handle: string, record: SessionRecord): Promise<void> {
    await storeCall(() => this.store.removeFromIndex(subIndex(record.sub), [handle]));
    if (record.sid) await storeCall(() => this.store.removeFromIndex(sidIndex(record.sid!), [handle]));
  }

  /** The live sessions of `sub`, oldest first. */
  async list(sub: string): Promise<SessionSummary[]> {
    const found = await this.records(subIndex(sub));
    return found
      .filter(({ record }) => record.sub === sub)
      .map(({ handle, record }) => this.summary(handle, record))
      .sort((a, b) => a.createdAt - b.createdAt || a.handle.localeCompare(b.handle));
  }

  /** The session `handle`, when it is live. */
  async get(handle: string): Promise<SessionSummary | undefined> {
    const record = await storeCall(() => this.store.get<SessionRecord>(handleKey(handle)));
    return record ? this.summary(handle, record) : undefined;
  }

  /** Ends every session of `sub`; how many ended. */
  async endAllOf(sub: string, options: { revoke: boolean }): Promise<number> {
    const found = await this.records(subIndex(sub));
    return this.endEach(
      found.filter(({ record }) => record.sub === sub).map(({ handle }) => handle),
      options,
    );
  }

  /** Ends the sessions of the provider session `sid` (of `sub` only, when given); how many ended. */
  async endProviderSession(sid: string, sub: string | undefined, options: { revoke: boolean }): Promise<number> {
    const found = await this.records(sidIndex(sid));
    return this.endEach(
      found.filter(({ record }) => record.sid === sid && (sub === undefined || record.sub === sub)).map(({ handle }) => handle),
      options,
    );
  }

  /** Ends one session; false when there was none. */
  async end(handle: string, options: { revoke: boolean }): Promise<boolean> {
    return (await this.endEach([handle], options)) === 1;
  }

  private async endEach(handles: readonly string[], options: { revoke: boolean }): Promise<number> {
    let ended = 0;
    for (const handle of handles) {
      const record = await storeCall(() => this.store.take<SessionRecord>(handleKey(handle)));
      if (!record) continue;
      ended += 1;
      await this.unregister(handle, record);
      if (options.revoke && record.refreshToken) {
        await this.oidc
          .revoke(record.refreshToken)
          .catch((error: unknown) =>
            this.logger.warn({ err: errorMessage(error) }, 'Refresh token revocation failed; the session is ended locally'),
          );
      }
    }
    return ended;
  }

  /** The records an index lists; members without a record any more are pruned from it. */
  private async records(index: string): Promise<Array<{ handle: string; record: SessionRecord }>> {
    const handles = await storeCall(() => this.store.indexMembers(index));
    const found: Array<{ handle: string; record: SessionRecord }> = [];
    const gone: string[] = [];
    for (const handle of handles) {
      const record = await storeCall(() => this.store.get<SessionRecord>(handleKey(handle)));
      if (record) found.push({ handle, record });
      else gone.push(handle);
    }
    if (gone.length) await storeCall(() => this.store.removeFromIndex(index, gone));
    return found;
  }

  private summary(handle: string, record: SessionRecord): SessionSummary {
    return {
      handle,
      sub: record.sub,
      createdAt: record.createdAt,
      lastSeenAt: record.lastSeenAt,
      expiresAt: Math.min(record.absoluteExpiresAt, record.lastSeenAt + this.config.idleMs),
    };
  }
}
