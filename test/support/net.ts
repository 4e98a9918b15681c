import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';

/**
 * A transparent HTTP proxy in front of another server that counts requests per path. Used to put
 * the IdP behind a known address (its issuer) and count what the apps fetch from it (e.g. JWKS).
 */
export interface CountingProxy {
  readonly url: string;
  /** Where requests go; set once the target listens. */
  target: string | undefined;
  count(path: string): number;
  reset(): void;
  close(): Promise<void>;
}

export async function startCountingProxy(): Promise<CountingProxy> {
  const counts = new Map<string, number>();
  const proxy: { target: string | undefined } = { target: undefined };
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    counts.set(path, (counts.get(path) ?? 0) + 1);
    if (!proxy.target) {
      res.writeHead(503).end();
      return;
    }
    const target = new URL(req.url ?? '/', proxy.target);
    // The Host header is kept: the target builds its URLs (redirects, forms) for the proxy's address.
    const upstream = request(target, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    url,
    get target() {
      return proxy.target;
    },
    set target(value) {
      proxy.target = value;
    },
    count: (path) => counts.get(path) ?? 0,
    reset: () => counts.clear(),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * fetch from a chosen local address (e.g. 127.0.0.2), to act as another client IP on loopback:
 * rate limits and failed-attempt limits are kept per IP.
 */
export function fetchFrom(
  localAddress: string,
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: init.method ?? 'GET', headers: init.headers, localAddress }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve(
          new Response(res.statusCode === 204 ? null : Buffer.concat(chunks), {
            status: res.statusCode ?? 0,
            headers: toHeaders(res.headers),
          }),
        ),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

function toHeaders(headers: IncomingHttpHeaders): Headers {
  const out = new Headers();
  for (const [name, value] of Object.entries(headers)) {
    for (const v of [value ?? []].flat()) out.append(name, v);
  }
  return out;
}
