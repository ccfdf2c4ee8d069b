/**
 * A real HTTP server for the review queue's hook tests (useReviewQueue.test.tsx): Loupe's own
 * route handlers (app/api/**), on a fresh database with the bundled samples and a signed-in
 * annotator. The hook's tests run under jsdom, whose URL breaks the server code, so this runs
 * in a child process of its own:
 *   node --conditions=react-server --import tsx lib/test/review-server.ts
 * It prints one JSON line, {port, cookie, datasetId, dbFile}, then serves until SIGTERM.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { SAMPLES_DIR } from '@/lib/test/factories';
import { closeRoutes, routeHandler, signInRoles, TEST_ORIGIN } from '@/lib/test/routes';

const root = path.resolve(import.meta.dirname, '../..');

/** The app/api route file answering a path, with its dynamic segments (`[id]`) as params. */
function routeFile(pathname: string): { file: string; params: Record<string, string> } | undefined {
  let dir = 'app';
  const params: Record<string, string> = {};
  for (const segment of pathname.split('/').filter(Boolean)) {
    if (fs.existsSync(path.join(root, dir, segment))) dir = path.join(dir, segment);
    else {
      const dynamic = fs.readdirSync(path.join(root, dir)).find((name) => /^\[\w+\]$/.test(name));
      if (!dynamic) return undefined;
      params[dynamic.slice(1, -1)] = decodeURIComponent(segment);
      dir = path.join(dir, dynamic);
    }
  }
  const file = path.join(dir, 'route.ts');
  return fs.existsSync(path.join(root, file)) ? { file, params } : undefined;
}

async function answer(req: http.IncomingMessage, res: http.ServerResponse) {
  const url = new URL(req.url ?? '/', TEST_ORIGIN);
  const route = routeFile(url.pathname);
  const handler = route && (await routeHandler(route.file, req.method ?? 'GET'));
  if (!route || !handler) {
    res.writeHead(404).end(JSON.stringify({ error: `no route for ${req.method} ${url.pathname}` }));
    return;
  }
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string' && name !== 'host') headers.set(name, value);
  headers.set('host', new URL(TEST_ORIGIN).host);
  const request = new Request(url, { method: req.method, headers, body: req.method === 'GET' ? undefined : Buffer.concat(chunks) });
  const response = await handler(request, { params: Promise.resolve(route.params) });
  res.writeHead(response.status, Object.fromEntries(response.headers));
  res.end(Buffer.from(await response.arrayBuffer()));
}

const cookie = (await signInRoles(['annotator'])).get('annotator')!;
const { getDb } = await import('@/db');
const { importGptEdit } = await import('@/lib/import/import-gpt-edit');
const { datasetId } = await importGptEdit(getDb(), SAMPLES_DIR);
const server = http.createServer((req, res) =>
  answer(req, res).catch((error: Error) => res.writeHead(500).end(JSON.stringify({ error: error.message }))),
);
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as { port: number };
  const dbFile = getDb().$client.name;
  process.stdout.write(JSON.stringify({ port, cookie, datasetId, dbFile }) + '\n');
});
process.on('SIGTERM', () => server.close(() => void closeRoutes().then(() => process.exit(0))));
