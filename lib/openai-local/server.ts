import { createHash } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chatCompletion, CHAT_MODELS } from './chat';
import { ApiError, invalidRequest } from './errors';
import { controlSchema, faultError, Faults, type QueuedFault, type RateFault } from './faults';
import { imageEdit, imageGeneration, unusableImages } from './images-api';
import { IMAGE_MODELS } from './validation';
import { SIMULATED_HEADER } from '../openai/simulated';

export type { QueuedFault, RateFault } from './faults';

export interface LocalOpenAIOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Fixed delay before every /v1 answer, default 0. */
  latencyMs?: number;
}

export interface LoggedRequest {
  method: string;
  path: string;
  model?: string;
  at: number;
}

export interface LocalOpenAI {
  /** Base URL for the SDK, ending in /v1. */
  url: string;
  close(): Promise<void>;
  setLatency(ms: number): void;
  /**
   * Answered to the next requests in order, one each; `slowMs` answers normally after that delay;
   * `unparseable` answers 200 with content the client cannot use (chat: not the asked-for JSON;
   * images: data that is not an image; other routes answer normally).
   */
  queueFaults(...faults: QueuedFault[]): void;
  /** A fraction of requests (chosen by a seeded PRNG, so the same ones every run) get `fault`. */
  setFaultRate(rate: number, fault: RateFault): void;
  requests: LoggedRequest[];
}

/** What a route receives: the parsed JSON body or multipart form, the request id, and whether to answer unusably. */
interface RouteInput {
  json?: Record<string, unknown>;
  form?: FormData;
  id: string;
  unparseable?: boolean;
}
type Route = { body: 'json' | 'multipart' | 'none'; handle: (input: RouteInput) => Promise<unknown> };

const created = 1_700_000_000;
const ROUTES: Record<string, Route> = {
  'POST /v1/images/edits': {
    body: 'multipart',
    handle: async ({ form, unparseable }) => unusableImages(await imageEdit(form!), unparseable),
  },
  'POST /v1/images/generations': {
    body: 'json',
    handle: async ({ json, unparseable }) => unusableImages(await imageGeneration(json!), unparseable),
  },
  'POST /v1/chat/completions': { body: 'json', handle: ({ json, id, unparseable }) => chatCompletion(json!, id, { unparseable }) },
  'GET /v1/models': {
    body: 'none',
    handle: async () => ({
      object: 'list',
      data: [...IMAGE_MODELS, ...CHAT_MODELS].map((id) => ({ id, object: 'model', created, owned_by: 'openai' })),
    }),
  },
};

// Sixteen images of up to 50 MB each, plus the other fields.
const MAX_BODY_BYTES = 16 * 50 * 1024 * 1024 + 1024 * 1024;

const INVALID_JSON =
  "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. " +
  'The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)';
const NO_API_KEY =
  "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth " +
  '(i.e. Authorization: Bearer YOUR_KEY). You can obtain an API key from https://platform.openai.com/account/api-keys.';

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk); // past the limit, keep draining so the answer can be sent
  }
  return size <= MAX_BODY_BYTES ? Buffer.concat(chunks) : undefined;
}

async function parseBody(req: IncomingMessage, body: Buffer, kind: Route['body']): Promise<Omit<RouteInput, 'id'>> {
  if (kind === 'none') return {};
  const contentType = req.headers['content-type'] ?? '';
  if (kind === 'multipart') {
    if (!contentType.startsWith('multipart/form-data')) {
      throw invalidRequest(`Invalid Content-Type header (${contentType || 'none'}), expected multipart/form-data.`);
    }
    try {
      // Buffer.concat allocates a plain ArrayBuffer, so the narrower type is true.
      const bytes = body as Uint8Array<ArrayBuffer>;
      const form = await new Request('http://local/', { method: 'POST', headers: { 'content-type': contentType }, body: bytes }).formData();
      return { form };
    } catch {
      throw invalidRequest('Could not parse multipart form.');
    }
  }
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    throw invalidRequest(INVALID_JSON);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw invalidRequest(INVALID_JSON);
  return { json: json as Record<string, unknown> };
}

function modelOf(input: Omit<RouteInput, 'id'>): string | undefined {
  const model = input.json?.model ?? input.form?.get('model');
  return typeof model === 'string' ? model : undefined;
}

function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}) {
  if (res.destroyed || res.headersSent) return; // the client gave up (e.g. its timeout fired during a slow answer)
  const text = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function sendError(res: ServerResponse, error: unknown) {
  if (error instanceof ApiError) return sendJson(res, error.status, error.body(), error.headers);
  const message = error instanceof Error ? error.message : String(error);
  sendJson(res, 500, new ApiError(500, `Local server error: ${message}`, 'server_error').body());
}

/** Starts a local server that speaks the OpenAI API for images (edits, generations) and chat completions. */
export async function startLocalOpenAI(options: LocalOpenAIOptions = {}): Promise<LocalOpenAI> {
  const host = options.host ?? '127.0.0.1';
  let latencyMs = options.latencyMs ?? 0;
  const faults = new Faults();
  const timers = new Set<NodeJS.Timeout>();
  let sequence = 0;

  // setTimeout, not a queue: concurrent requests wait side by side.
  const sleep = (ms: number) =>
    ms <= 0
      ? Promise.resolve()
      : new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            timers.delete(timer);
            resolve();
          }, ms);
          timers.add(timer);
        });

  async function control(req: IncomingMessage, res: ServerResponse, path: string) {
    if (req.method === 'GET' && path === '/__control/requests') return sendJson(res, 200, { requests: local.requests });
    if (req.method !== 'POST' || path !== '/__control/faults') {
      return sendJson(res, 404, invalidRequest(`Invalid URL (${req.method} ${path})`, null, null, 404).body());
    }
    const body = await readBody(req);
    let parsed;
    try {
      parsed = controlSchema.safeParse(JSON.parse(body?.toString('utf8') || '{}'));
    } catch {
      return sendJson(res, 400, invalidRequest(INVALID_JSON).body());
    }
    if (!parsed.success) {
      const message = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; ');
      return sendJson(res, 400, invalidRequest(message).body());
    }
    const { queue, rate, latencyMs: latency } = parsed.data;
    if (queue) faults.enqueue(queue);
    if (rate) faults.setRate(rate.rate, rate.fault);
    if (latency !== undefined) latencyMs = latency;
    sendJson(res, 200, { queued: faults.pending, latencyMs });
  }

  async function api(req: IncomingMessage, res: ServerResponse, path: string) {
    // Deterministic ids: the nth request of a fresh server always has the same one.
    const id = createHash('sha256').update(`local-openai:${++sequence}`).digest('hex').slice(0, 32);
    // SIMULATED_HEADER lets Loupe mark what this server made as simulated, not real API output.
    const headers = { 'x-request-id': `req_${id}`, 'openai-version': '2020-10-01', [SIMULATED_HEADER]: '1' };
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);

    const body = await readBody(req);
    const route = ROUTES[`${req.method} ${path}`];
    // Parse before answering anything so the log has the model; parse errors are answered in their turn.
    let input: Omit<RouteInput, 'id'> = {};
    let parseError: unknown;
    if (route && body) {
      try {
        input = await parseBody(req, body, route.body);
      } catch (error) {
        parseError = error;
      }
    }
    const model = modelOf(input);
    local.requests.push({ method: req.method ?? 'GET', path, ...(model ? { model } : {}), at: Date.now() });

    await sleep(latencyMs);
    const authorization = req.headers.authorization ?? '';
    if (!/^Bearer\s+\S/.test(authorization)) throw new ApiError(401, NO_API_KEY, 'invalid_request_error');
    if (!route) throw invalidRequest(`Invalid URL (${req.method} ${path})`, null, null, 404);
    if (!body) throw invalidRequest(`Request body too large: the limit is ${MAX_BODY_BYTES} bytes.`, null, null, 413);

    const fault = faults.next();
    if (fault && 'slowMs' in fault) await sleep(fault.slowMs);
    else if (fault && !('unparseable' in fault)) throw faultError(fault, model);

    if (parseError) throw parseError;
    sendJson(res, 200, await route.handle({ ...input, id, unparseable: fault !== undefined && 'unparseable' in fault }));
  }

  const server = http.createServer((req, res) => {
    res.on('error', () => {}); // a client that hung up is not the server's problem
    const path = new URL(req.url ?? '/', 'http://local').pathname;
    const handler = path.startsWith('/__control/') ? control : api;
    handler(req, res, path).catch((error) => sendError(res, error));
  });

  // Longer than the client's idle timeout, so the client, not the server, retires idle sockets
  // (a server closing one just as the client reuses it shows up as ECONNRESET).
  server.keepAliveTimeout = 65_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const hostInUrl = host.includes(':') ? `[${host}]` : host;

  // Handlers log into `local.requests`, so a test may also reset the log by assigning a new array.
  const local: LocalOpenAI = {
    url: `http://${hostInUrl}:${port}/v1`,
    requests: [],
    setLatency: (ms) => {
      latencyMs = ms;
    },
    queueFaults: (...queued) => faults.enqueue(queued),
    setFaultRate: (rate, fault) => faults.setRate(rate, fault),
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return local;
}
