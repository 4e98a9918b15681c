import { Logger } from '@nestjs/common';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';

import type { OidcClient } from './oidc-client.js';
import { SessionDirectory } from './session-directory.js';
import { digest, handleKey } from './session-record.js';
import { FakeOidc, IDLE_S, sessionConfig } from './session.fixtures.test.js';
import { MemorySessionStore } from './session.store.js';
import type { SessionRecord } from './session.types.js';

const NOW = Date.now();

function record(sub: string, sid: string | undefined, refreshToken: string): SessionRecord {
  return {
    sub,
    ...(sid ? { sid } : {}),
    claims: { sub },
    scopes: [],
    accessToken: `at-${refreshToken}`,
    accessTokenExpiresAt: NOW + 300_000,
    tokensObtainedAt: NOW,
    refreshToken,
    createdAt: NOW,
    lastSeenAt: NOW,
    absoluteExpiresAt: NOW + 3_600_000,
  };
}

describe('SessionDirectory', () => {
  let store: MemorySessionStore;
  let oidc: FakeOidc;
  let directory: SessionDirectory;

  beforeAll(() => Logger.overrideLogger(false));
  beforeEach(() => {
    store = new MemorySessionStore(100);
    oidc = new FakeOidc();
    directory = new SessionDirectory(sessionConfig(), oidc as unknown as OidcClient, store);
  });

  async function add(handle: string, value: SessionRecord): Promise<void> {
    await store.create(handleKey(handle), value, 60_000);
    await directory.register(handle, value, NOW);
  }

  it('lists the sessions of a subject (no token), expiring at the idle timeout capped by the absolute one', async () => {
    await add('h1', record('c-1', 'sid-a', 'rt-1'));
    await add('h2', record('c-1', 'sid-b', 'rt-2'));
    await add('h3', record('c-2', 'sid-c', 'rt-3'));
    const listed = await directory.list('c-1');
    expect(listed.map((s) => s.handle).sort()).toEqual(['h1', 'h2']);
    expect(listed[0]).toEqual({ handle: listed[0].handle, sub: 'c-1', createdAt: NOW, lastSeenAt: NOW, expiresAt: NOW + IDLE_S * 1000 });
    expect(JSON.stringify(listed)).not.toMatch(/rt-|at-/);
  });

  it('prunes index members whose session has gone (expired or deleted elsewhere)', async () => {
    await add('h1', record('c-1', 'sid-a', 'rt-1'));
    await add('h2', record('c-1', 'sid-a', 'rt-2'));
    await store.delete(handleKey('h1'));
    expect((await directory.list('c-1')).map((s) => s.handle)).toEqual(['h2']);
    expect(await store.indexMembers(`u:${digest('c-1')}`)).toEqual(['h2']);
  });

  it('ends the sessions of a provider session (of that subject only, when named), leaving the others', async () => {
    await add('h1', record('c-1', 'sid-a', 'rt-1'));
    await add('h2', record('c-1', 'sid-a', 'rt-2'));
    await add('h3', record('c-1', 'sid-b', 'rt-3'));
    expect(await directory.endProviderSession('sid-a', 'c-2', { revoke: false })).toBe(0);
    expect(await directory.endProviderSession('sid-a', 'c-1', { revoke: false })).toBe(2);
    expect(await directory.endProviderSession('sid-a', undefined, { revoke: false })).toBe(0);
    expect((await directory.list('c-1')).map((s) => s.handle)).toEqual(['h3']);
    expect(oidc.revoked).toEqual([]);
  });

  it('ends every session of a subject, or one by handle, revoking refresh tokens when asked; a second end finds nothing', async () => {
    await add('h1', record('c-1', undefined, 'rt-1'));
    await add('h2', record('c-1', undefined, 'rt-2'));
    await add('h3', record('c-1', undefined, 'rt-3'));
    expect(await directory.end('h1', { revoke: true })).toBe(true);
    expect(await directory.end('h1', { revoke: true })).toBe(false);
    expect(oidc.revoked).toEqual(['rt-1']);
    expect(await directory.endAllOf('c-1', { revoke: true })).toBe(2);
    expect(oidc.revoked.sort()).toEqual(['rt-1', 'rt-2', 'rt-3']);
    expect(await directory.list('c-1')).toEqual([]);
    expect(await directory.get('h2')).toBeUndefined();
  });
});
