import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';

import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { IssuerUnavailableError } from '../oidc/discovery.js';
import { InvalidTokenError, JwtVerifier, type JwtVerifierOptions } from './jwt-verifier.js';

/** A minimal OpenID provider for the verifier: discovery + JWKS over real HTTP, counting requests. */
class FakeIssuer {
  readonly counts = { discovery: 0, jwks: 0 };
  keys: JWK[] = [];
  jwksStatus = 200;
  private server?: Server;
  issuer = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      if (req.url?.endsWith('/.well-known/openid-configuration')) {
        this.counts.discovery += 1;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ issuer: this.issuer, jwks_uri: `${this.issuer}/jwks`, token_endpoint: `${this.issuer}/token` }));
      } else if (req.url === '/jwks') {
        this.counts.jwks += 1;
        res.writeHead(this.jwksStatus, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ keys: this.keys }));
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.issuer = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server?.close(() => resolve());
      this.server?.closeAllConnections();
    });
  }
}

interface SigningKey {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly jwk: JWK;
}

async function signingKey(alg = 'RS256'): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const kid = randomUUID();
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

const AUDIENCE = 'mobile-bff';

describe('JwtVerifier', () => {
  const idp = new FakeIssuer();
  let rsa: SigningKey;
  let verifier: JwtVerifier;

  const options = (overrides: Partial<JwtVerifierOptions> = {}): JwtVerifierOptions => ({
    issuer: idp.issuer,
    audience: AUDIENCE,
    algorithms: ['RS256', 'ES256'],
    clockToleranceSeconds: 5,
    typ: 'at+jwt',
    jwksCooldownMs: 30_000,
    jwksMaxAgeMs: 600_000,
    ...overrides,
  });

  const token = (key: SigningKey, claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}) => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({
      iss: idp.issuer,
      aud: AUDIENCE,
      sub: 'c-0001',
      iat: now,
      exp: now + 300,
      scope: 'catalog:read orders:read',
      ...claims,
    })
      .setProtectedHeader({ alg: key.jwk.alg!, typ: 'at+jwt', kid: key.kid, ...header })
      .sign(key.privateKey);
  };

  beforeAll(async () => {
    await idp.start();
    rsa = await signingKey();
  });
  afterAll(() => idp.close());
  afterEach(() => {
    idp.keys = [rsa.jwk];
    idp.jwksStatus = 200;
    idp.counts.discovery = 0;
    idp.counts.jwks = 0;
  });

  const expectInvalid = async (promise: Promise<unknown>, reason: string | RegExp) => {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InvalidTokenError);
    expect((error as InvalidTokenError).reason).toMatch(reason);
  };

  it('accepts a token signed by a published key: subject, scopes and claims', async () => {
    idp.keys = [rsa.jwk];
    verifier = new JwtVerifier(options());
    const verified = await verifier.verify(await token(rsa));
    expect(verified.subject).toBe('c-0001');
    expect(verified.scopes).toEqual(['catalog:read', 'orders:read']);
    expect(verified.claims).toMatchObject({ iss: idp.issuer, aud: AUDIENCE });
    // Discovery and keys are fetched once, then cached.
    await verifier.verify(await token(rsa));
    expect(idp.counts).toEqual({ discovery: 1, jwks: 1 });
  });

  it('refetches the key set for an unknown kid at most once per cooldown, however many tokens ask', async () => {
    verifier = new JwtVerifier(options({ jwksCooldownMs: 1_000 }));
    await verifier.verify(await token(rsa));
    expect(idp.counts.jwks).toBe(1);

    // An attacker's tokens with random kids (signed by a key the IdP never published): right after
    // a fetch, none of them causes a refetch.
    const attacker = await signingKey();
    const forged = () => token({ ...attacker, kid: randomUUID() });
    for (let i = 0; i < 25; i++) await expectInvalid(verifier.verify(await forged()), 'ERR_JWKS_NO_MATCHING_KEY');
    expect(idp.counts.jwks).toBe(1);

    // Once the cooldown is over, a burst of 50 concurrent unknown kids causes exactly one refetch.
    await new Promise((r) => setTimeout(r, 1_100));
    const burst = await Promise.all(Array.from({ length: 50 }, () => forged()));
    await Promise.all(burst.map((t) => expectInvalid(verifier.verify(t), 'ERR_JWKS_NO_MATCHING_KEY')));
    expect(idp.counts.jwks).toBe(2);
    for (let i = 0; i < 25; i++) await expectInvalid(verifier.verify(await forged()), 'ERR_JWKS_NO_MATCHING_KEY');
    expect(idp.counts.jwks).toBe(2);
    expect(idp.counts.discovery).toBe(1);
  });

  it('picks up a rotated key: a token with the new kid triggers a refetch after the cooldown', async () => {
    verifier = new JwtVerifier(options({ jwksCooldownMs: 1_000 }));
    await verifier.verify(await token(rsa));
    const next = await signingKey('ES256');
    idp.keys = [rsa.jwk, next.jwk];
    // Within the cooldown the new key is not known yet.
    await expectInvalid(verifier.verify(await token(next)), 'ERR_JWKS_NO_MATCHING_KEY');
    await new Promise((r) => setTimeout(r, 1_100));
    await expect(verifier.verify(await token(next))).resolves.toMatchObject({ subject: 'c-0001' });
    expect(idp.counts.jwks).toBe(2);
  });

  it('refuses alg none and HS256 signed with the public key, whatever the allowlist order', async () => {
    idp.keys = [rsa.jwk];
    verifier = new JwtVerifier(options());
    const payload = (await token(rsa)).split('.')[1];
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt', kid: rsa.kid })).toString('base64url')}.${payload}.`;
    await expectInvalid(verifier.verify(none), /ERR_JWS_INVALID|ERR_JOSE_ALG_NOT_ALLOWED/);

    const publicPem = new TextEncoder().encode(JSON.stringify(rsa.jwk));
    const hs = await new SignJWT({ scope: 'catalog:read' })
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: rsa.kid })
      .setIssuer(idp.issuer)
      .setAudience(AUDIENCE)
      .setSubject('c-0001')
      .setExpirationTime('5m')
      .sign(publicPem);
    await expectInvalid(verifier.verify(hs), 'ERR_JOSE_ALG_NOT_ALLOWED');
  });

  it('checks iss, aud, exp, nbf (with the clock skew), typ and sub', async () => {
    idp.keys = [rsa.jwk];
    verifier = new JwtVerifier(options({ clockToleranceSeconds: 5 }));
    const now = Math.floor(Date.now() / 1000);
    await expectInvalid(verifier.verify(await token(rsa, { iss: 'https://evil.example' })), 'ERR_JWT_CLAIM_VALIDATION_FAILED');
    await expectInvalid(verifier.verify(await token(rsa, { aud: 'web-bff' })), 'ERR_JWT_CLAIM_VALIDATION_FAILED');
    await expectInvalid(verifier.verify(await token(rsa, { exp: now - 10 })), 'ERR_JWT_EXPIRED');
    await expectInvalid(verifier.verify(await token(rsa, { nbf: now + 60 })), 'ERR_JWT_CLAIM_VALIDATION_FAILED');
    await expectInvalid(verifier.verify(await token(rsa, {}, { typ: 'JWT' })), 'ERR_JWT_CLAIM_VALIDATION_FAILED');
    await expectInvalid(verifier.verify(await token(rsa, { sub: '' })), /sub|ERR_JWT_CLAIM_VALIDATION_FAILED/);
    // Within the skew: just expired / not yet valid by 3 s is accepted.
    await expect(verifier.verify(await token(rsa, { exp: now - 3 }))).resolves.toBeTruthy();
    await expect(verifier.verify(await token(rsa, { nbf: now + 3 }))).resolves.toBeTruthy();
  });

  it('refuses a tampered payload and garbage', async () => {
    idp.keys = [rsa.jwk];
    verifier = new JwtVerifier(options());
    const [h, p, s] = (await token(rsa)).split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...claims, scope: 'catalog:read orders:write admin' })).toString('base64url')}.${s}`;
    await expectInvalid(verifier.verify(tampered), 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED');
    await expectInvalid(verifier.verify('not-a-jwt'), 'ERR_JWS_INVALID');
    await expectInvalid(verifier.verify('a'.repeat(9_000)), 'token too long');
  });

  it('reports an unreachable key set as the IdP being unavailable, not as a bad token, and backs off', async () => {
    idp.keys = [rsa.jwk];
    idp.jwksStatus = 503;
    verifier = new JwtVerifier(options());
    const t = await token(rsa);
    await expect(verifier.verify(t)).rejects.toBeInstanceOf(IssuerUnavailableError);
    // Within the back-off, no new request reaches the IdP.
    await expect(verifier.verify(t)).rejects.toBeInstanceOf(IssuerUnavailableError);
    expect(idp.counts.jwks).toBe(1);
    idp.jwksStatus = 200;
    await new Promise((r) => setTimeout(r, 1_050));
    await expect(verifier.verify(t)).resolves.toMatchObject({ subject: 'c-0001' });
  });

  it('never trusts a discovery document naming another issuer', async () => {
    // The fake IdP answers discovery under any path, always naming its own issuer.
    verifier = new JwtVerifier(options({ issuer: `${idp.issuer}/tenant-b` }));
    const error = await verifier.verify(await token(rsa)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IssuerUnavailableError);
    expect(idp.counts).toEqual({ discovery: 1, jwks: 0 });
  });
});
