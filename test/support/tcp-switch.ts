import { connect, createServer, type Server, type Socket } from 'node:net';

import { freePort } from './process.js';

/**
 * How a TcpSwitch treats connections:
 * - `forward`: a transparent TCP relay to the target;
 * - `refuse`: nothing listens (connection refused), as when the service is down;
 * - `blackhole`: connections are accepted and never answered, as when the service hangs.
 * Changing the mode drops every open connection, so keep-alive sockets cannot bypass it.
 */
export type SwitchMode = 'forward' | 'refuse' | 'blackhole';

export interface TcpSwitch {
  /** `http://127.0.0.1:<port>`: a fixed address to give clients (e.g. an IdP's issuer). */
  readonly url: string;
  /** Where `forward` relays to (`http://host:port`); connections wait in `blackhole` fashion until it is set. */
  target: string | undefined;
  readonly mode: SwitchMode;
  setMode(mode: SwitchMode): Promise<void>;
  close(): Promise<void>;
}

/** A TCP-level switch in front of a server, on a port of its own that stays the same across modes. */
export async function startTcpSwitch(): Promise<TcpSwitch> {
  const port = await freePort();
  const sockets = new Set<Socket>();
  let mode: SwitchMode = 'forward';
  let target: URL | undefined;
  let server: Server | undefined;

  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };

  const onConnection = (client: Socket): void => {
    track(client);
    if (mode === 'blackhole' || !target) return;
    const upstream = connect(Number(target.port), target.hostname);
    track(upstream);
    client.pipe(upstream).pipe(client);
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => client.destroy());
  };

  const listen = async (): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      const candidate = createServer(onConnection);
      try {
        await new Promise<void>((resolve, reject) => {
          candidate.once('error', reject);
          candidate.listen(port, '127.0.0.1', () => resolve());
        });
        server = candidate;
        return;
      } catch (error) {
        // The port was released a moment ago; the kernel may still hold it briefly.
        if (attempt >= 20) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  };

  const stopListening = async (): Promise<void> => {
    const running = server;
    server = undefined;
    if (!running) return;
    const closed = new Promise<void>((resolve) => running.close(() => resolve()));
    // close() waits for open connections, including one accepted a moment ago.
    dropConnections();
    await closed;
  };

  const dropConnections = (): void => {
    for (const socket of sockets) socket.destroy();
    sockets.clear();
  };

  await listen();
  return {
    url: `http://127.0.0.1:${port}`,
    get target() {
      return target?.origin;
    },
    set target(value) {
      target = value === undefined ? undefined : new URL(value);
    },
    get mode() {
      return mode;
    },
    async setMode(next) {
      mode = next;
      dropConnections();
      if (next === 'refuse') await stopListening();
      else if (!server) await listen();
    },
    async close() {
      dropConnections();
      await stopListening();
    },
  };
}
