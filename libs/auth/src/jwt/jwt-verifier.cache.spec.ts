import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';

import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';

import { InvalidTokenError, JwtVerifier, VERIFIED_TOKEN_TTL_MS, type JwtVerifierOptions } from './jwt-verifier.js';

/** Discovery + JWKS over real HTTP, counting key-set requests. */
async function fakeIssuer(keys: () => JWK[]): Promise<{ issuer: string; jwks: () => number; close: () => Promise<void> }> {
  let jwks = 0;
  let issuer = '';
  const server: Server = createServer((req, res) => {
    if (req.url?.endsWith('/.well-known/openid-configuration')) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks` }));
    } else if (req.url === '/jwks') {
      jwks += 1;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: keys() }));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    issuer,
    jwks: () => jwks,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

describe('JwtVerifier: verified tokens answered from memory', () => {
  const AUDIENCE = 'mobile-bff';
  let published: JWK[] = [];
  let idp: Awaited<ReturnType<typeof fakeIssuer>>;
  let key: { kid: string; privateKey: CryptoKey; jwk: JWK };

  beforeAll(async () => {
    idp = await fakeIssuer(() => published);
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    const kid = randomUUID();
    key = { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
  });
  afterAll(() => idp.close());
  afterEach(() => {
    vi.useRealTimers();
    published = [key.jwk];
  });

  const options = (overrides: Partial<JwtVerifierOptions> = {}): JwtVerifierOptions => ({
    issuer: idp.issuer,
    audience: AUDIENCE,
    algorithms: ['RS256'],
    clockToleranceSeconds: 0,
    typ: 'at+jwt',
    jwksCooldownMs: 30_000,
    jwksMaxAgeMs: 600_000,
    ...overrides,
  });
  const sign = (claims: Record<string, unknown> = {}) => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({
      iss: idp.issuer,
      aud: AUDIENCE,
      sub: 'c-0001',
      iat: now,
      exp: now + 300,
      scope: 'catalog:read',
      jti: randomUUID(),
      ...claims,
    })
      .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: key.kid })
      .sign(key.privateKey);
  };

  it('answers the same token again from memory, with a read-only result', async () => {
    published = [key.jwk];
    const verifier = new JwtVerifier(options());
    const token = await sign();
    const first = await verifier.verify(token);
    expect(await verifier.verify(token)).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(Object.isFrozen(first.claims)).toBe(true);
    expect(Object.isFrozen(first.scopes)).toBe(true);
    // Another token of the same subject is verified on its own.
    expect(await verifier.verify(await sign())).not.toBe(first);
  });

  it('never answers past the token expiry (plus the clock tolerance), nor longer than the TTL', async () => {
    published = [key.jwk];
    vi.useFakeTimers({ toFake: ['Date'] });
    const verifier = new JwtVerifier(options({ clockToleranceSeconds: 2 }));
    const now = Math.floor(Date.now() / 1000);
    const shortLived = await sign({ exp: now + 10 });
    await verifier.verify(shortLived);
    vi.setSystemTime(Date.now() + 11_000); // past exp, within the 2 s tolerance
    await expect(verifier.verify(shortLived)).resolves.toMatchObject({ subject: 'c-0001' });
    vi.setSystemTime(Date.now() + 2_000); // past exp + tolerance: verified again, and refused
    const expired = await verifier.verify(shortLived).catch((e: unknown) => e);
    expect(expired).toBeInstanceOf(InvalidTokenError);
    expect((expired as InvalidTokenError).reason).toBe('ERR_JWT_EXPIRED');

    const longLived = await sign({ exp: Math.floor(Date.now() / 1000) + 3_600 });
    const first = await verifier.verify(longLived);
    vi.setSystemTime(Date.now() + VERIFIED_TOKEN_TTL_MS - 1_000);
    expect(await verifier.verify(longLived)).toBe(first);
    vi.setSystemTime(Date.now() + 2_000);
    const again = await verifier.verify(longLived);
    expect(again).not.toBe(first); // checked again after the TTL
    expect(again).toEqual(first);
  });

  it('remembers a token no longer than the key set is cached', async () => {
    published = [key.jwk];
    vi.useFakeTimers({ toFake: ['Date'] });
    const verifier = new JwtVerifier(options({ jwksMaxAgeMs: 5_000 }));
    const token = await sign();
    const first = await verifier.verify(token);
    vi.setSystemTime(Date.now() + 5_500);
    expect(await verifier.verify(token)).not.toBe(first);
  });

  it('never remembers a refusal: the same token is checked again, and accepted once its key is published', async () => {
    published = [];
    const verifier = new JwtVerifier(options({ jwksCooldownMs: 0 }));
    const token = await sign();
    const refused = await verifier.verify(token).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(InvalidTokenError);
    published = [key.jwk];
    await expect(verifier.verify(token)).resolves.toMatchObject({ subject: 'c-0001', scopes: ['catalog:read'] });
    expect(idp.jwks()).toBeGreaterThanOrEqual(2);
  });
});
