import { afterEach, describe, expect, it, vi } from 'vitest';

import { ACCESS_TOKEN_TYPE_URN, TOKEN_EXCHANGE_GRANT_TYPE, TokenExchange, TokenExchangeError } from './token-exchange.js';

const ISSUER = 'https://idp.example';
const TOKEN_ENDPOINT = `${ISSUER}/token`;

/** A fetch that answers discovery, and the token endpoint with `answer(form)`; it records each token request's form. */
function fakeIdp(answer: (form: URLSearchParams, n: number) => Response | Promise<Response>) {
  const requests: { form: URLSearchParams; authorization: string }[] = [];
  const fetchImpl = vi.fn(async (input: string | URL, init?: RequestInit) => {
    const url = input.toString();
    if (url.endsWith('/.well-known/openid-configuration')) {
      return Response.json({ issuer: ISSUER, token_endpoint: TOKEN_ENDPOINT, jwks_uri: `${ISSUER}/jwks` });
    }
    const form = new URLSearchParams(init?.body as URLSearchParams);
    requests.push({ form, authorization: String((init?.headers as Record<string, string>).authorization) });
    return answer(form, requests.length);
  }) as unknown as typeof fetch;
  return { fetchImpl, requests };
}

const issued = (token: string, expiresIn = 120) =>
  Response.json({ access_token: token, token_type: 'Bearer', issued_token_type: ACCESS_TOKEN_TYPE_URN, expires_in: expiresIn });

const client = (fetchImpl: typeof fetch, maxEntries?: number) =>
  new TokenExchange({
    issuer: ISSUER,
    clientId: 'mobile-bff',
    clientSecret: 's3cret/with:chars',
    resource: 'https://api.example',
    scope: 'cart:write orders:read',
    fetch: fetchImpl,
    maxEntries,
  });

describe('TokenExchange (RFC 8693 client)', () => {
  afterEach(() => vi.useRealTimers());

  it('sends the RFC 8693 request with client_secret_basic and answers the issued token', async () => {
    const idp = fakeIdp(() => issued('exchanged-1'));
    expect(await client(idp.fetchImpl).exchange('subject-a')).toBe('exchanged-1');
    const [{ form, authorization }] = idp.requests;
    expect(Object.fromEntries(form)).toEqual({
      grant_type: TOKEN_EXCHANGE_GRANT_TYPE,
      subject_token: 'subject-a',
      subject_token_type: ACCESS_TOKEN_TYPE_URN,
      requested_token_type: ACCESS_TOKEN_TYPE_URN,
      resource: 'https://api.example',
      scope: 'cart:write orders:read',
    });
    expect(authorization).toBe(`Basic ${Buffer.from('mobile-bff:s3cret%2Fwith%3Achars').toString('base64')}`);
  });

  it('caches per subject token until shortly before expiry, and shares one request among concurrent callers', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const idp = fakeIdp((form, n) => issued(`exchanged-${form.get('subject_token')}-${n}`, 100));
    const exchange = client(idp.fetchImpl);
    const same = await Promise.all([exchange.exchange('a'), exchange.exchange('a'), exchange.exchange('a')]);
    expect(new Set(same)).toEqual(new Set(['exchanged-a-1']));
    expect(await exchange.exchange('b')).toBe('exchanged-b-2');
    expect(await exchange.exchange('a')).toBe('exchanged-a-1');
    expect(idp.requests).toHaveLength(2);
    // 100 s lifetime: exchanged again 20 s before expiry.
    vi.setSystemTime(Date.now() + 81_000);
    expect(await exchange.exchange('a')).toBe('exchanged-a-3');
  });

  it('keeps at most maxEntries tokens, dropping the oldest; 0 keeps none', async () => {
    const idp = fakeIdp((form, n) => issued(`t-${form.get('subject_token')}-${n}`));
    const bounded = client(idp.fetchImpl, 2);
    await bounded.exchange('a');
    await bounded.exchange('b');
    await bounded.exchange('c');
    expect(bounded.size).toBe(2);
    expect(await bounded.exchange('a')).toBe('t-a-4');
    const none = client(fakeIdp(() => issued('x')).fetchImpl, 0);
    await none.exchange('a');
    expect(none.size).toBe(0);
  });

  it('tells a refused subject token (invalid_grant) from an unavailable provider, without the provider body', async () => {
    const refused = client(
      fakeIdp(() => Response.json({ error: 'invalid_grant', error_description: 'secret detail' }, { status: 400 })).fetchImpl,
    );
    const error = await refused.exchange('a').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokenExchangeError);
    expect(error).toMatchObject({ reason: 'refused' });
    expect((error as Error).message).not.toContain('secret detail');

    for (const response of [
      () => Response.json({ error: 'invalid_client' }, { status: 401 }),
      () => Response.json({ error: 'invalid_scope' }, { status: 400 }),
      () => new Response('<html>bad gateway</html>', { status: 502 }),
      () => Response.json({ access_token: 'x', token_type: 'DPoP' }),
      () => Response.json({ access_token: 'x', token_type: 'Bearer', issued_token_type: 'urn:ietf:params:oauth:token-type:id_token' }),
    ]) {
      const failure = await client(fakeIdp(response).fetchImpl)
        .exchange('a')
        .catch((e: unknown) => e);
      expect(failure).toMatchObject({ name: 'TokenExchangeError', reason: 'unavailable' });
    }
  });

  it('after the provider failed, fails every exchange for 1 s without a request, then tries again', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    let down = true;
    const idp = fakeIdp(() => (down ? Response.json({ error: 'server_error' }, { status: 503 }) : issued('back')));
    const exchange = client(idp.fetchImpl);
    await expect(exchange.exchange('a')).rejects.toMatchObject({ reason: 'unavailable' });
    await expect(exchange.exchange('b')).rejects.toMatchObject({ reason: 'unavailable' });
    expect(idp.requests).toHaveLength(1);
    down = false;
    vi.setSystemTime(Date.now() + 1_001);
    expect(await exchange.exchange('b')).toBe('back');
  });

  it('reports each provider request once, by outcome; cached tokens and fail-fast refusals are not requests', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const outcomes: string[] = [];
    let answer: () => Response = () => issued('t');
    const idp = fakeIdp(() => answer());
    const exchange = new TokenExchange({
      issuer: ISSUER,
      clientId: 'mobile-bff',
      clientSecret: 's',
      resource: 'https://api.example',
      fetch: idp.fetchImpl,
      onExchange: (outcome) => outcomes.push(outcome),
    });
    await Promise.all([exchange.exchange('a'), exchange.exchange('a')]);
    await exchange.exchange('a');
    answer = () => Response.json({ error: 'invalid_grant' }, { status: 400 });
    await expect(exchange.exchange('b')).rejects.toMatchObject({ reason: 'refused' });
    answer = () => Response.json({ error: 'server_error' }, { status: 503 });
    await expect(exchange.exchange('c')).rejects.toMatchObject({ reason: 'unavailable' });
    await expect(exchange.exchange('d')).rejects.toMatchObject({ reason: 'unavailable' });
    expect(outcomes).toEqual(['ok', 'refused', 'failed']);
    expect(idp.requests).toHaveLength(3);
  });

  it("a caller's abort ends its own wait only", async () => {
    let release: (r: Response) => void = () => undefined;
    const idp = fakeIdp(() => new Promise<Response>((resolve) => (release = resolve)));
    const exchange = client(idp.fetchImpl);
    const controller = new AbortController();
    const aborted = exchange.exchange('a', controller.signal);
    const other = exchange.exchange('a');
    await vi.waitFor(() => expect(idp.requests).toHaveLength(1));
    controller.abort(new Error('section budget'));
    await expect(aborted).rejects.toThrow('section budget');
    release(issued('shared'));
    expect(await other).toBe('shared');
  });
});
