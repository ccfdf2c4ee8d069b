/**
 * Test helper: a local HTTP server standing in for image hosts, so downloads are tested
 * over a real socket. Each route answers with a status, a content-type and a body, after
 * an optional delay (or never, to test timeouts). It counts requests and the most
 * requests it had in flight at once.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Route {
  status?: number;
  type?: string;
  body?: Buffer | string;
  delayMs?: number;
  /** Never answer (the client has to time out). */
  hang?: boolean;
  /** A content-length header that is not the body's. */
  declaredLength?: number;
}

export interface TestServer {
  url: (route: string) => string;
  requests: string[];
  maxInFlight: number;
  close: () => Promise<void>;
}

export async function startTestServer(routes: Record<string, Route>): Promise<TestServer> {
  let inFlight = 0;
  const state: TestServer = {
    url: () => '',
    requests: [],
    maxInFlight: 0,
    close: async () => {},
  };
  const server = http.createServer((req, res) => {
    const route = routes[req.url ?? ''];
    state.requests.push(req.url ?? '');
    state.maxInFlight = Math.max(state.maxInFlight, ++inFlight);
    res.on('close', () => inFlight--);
    if (!route) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    if (route.hang) return;
    setTimeout(() => {
      const body = route.body ?? '';
      res.writeHead(route.status ?? 200, {
        'content-type': route.type ?? 'application/octet-stream',
        'content-length': String(route.declaredLength ?? Buffer.byteLength(body)),
      });
      if (route.declaredLength !== undefined)
        res.write(body); // and never finish
      else res.end(body);
    }, route.delayMs ?? 0);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  state.url = (route) => `http://127.0.0.1:${port}${route}`;
  state.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}
