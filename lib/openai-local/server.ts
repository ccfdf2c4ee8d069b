import { createHash } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BatchStore, type BatchFaultPlan } from './batches';
import { chatCompletion, CHAT_MODELS } from './chat';
import { ApiError, invalidRequest } from './errors';
import { controlSchema, faultError, Faults, type FaultPlan, type QueuedFault, type RateFault } from './faults';
import { BATCH_FILE_MAX_BYTES, FileStore } from './files';
import { imageEdit, imageGeneration, unusableImages } from './images-api';
import { editFormFromJson } from './images-json';
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
  /** How long a batch stays in progress at least, default 200 ms. */
  batchDelayMs?: number;
  /** Requests of one batch run at the same time, default 8. */
  batchConcurrency?: number;
  /** Largest file POST /v1/files takes, default the Batch API's 200 MB (tests set a small one). */
  maxFileBytes?: number;
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
  /** Lines with these custom_ids (or containing BATCH_FAIL_MARKER) fail with `fault` (default a 500). */
  failBatchLines(customIds: string[], fault?: FaultPlan): void;
  /** The next batches created, in order, expire or are cancelled after some of their requests ran. */
  planBatches(...plans: BatchFaultPlan[]): void;
  /** The next `count` GET /v1/batches/:id answer 500. */
  failBatchPolls(count: number): void;
  setBatchDelay(ms: number): void;
}

/** The state one server keeps: uploaded and written files, and batches. */
interface ServerState {
  files: FileStore;
  batches: BatchStore;
}

/**
 * What a route receives: the parsed JSON body or multipart form, the path's `:name` parameters, the
 * query, the request id, whether to answer unusably, and the server's state.
 */
interface RouteInput {
  json?: Record<string, unknown>;
  form?: FormData;
  params: Record<string, string>;
  query: URLSearchParams;
  id: string;
  unparseable?: boolean;
  state: ServerState;
}
/** `json-or-multipart`: the content type decides (image edits take both, as the API does). */
type Route = { body: 'json' | 'multipart' | 'json-or-multipart' | 'none'; handle: (input: RouteInput) => Promise<unknown> };

/** A route's answer sent as bytes, not JSON (file content). */
class RawAnswer {
  constructor(
    readonly bytes: Buffer,
    readonly contentType: string,
  ) {}
}

const created = 1_700_000_000;
const ROUTES: Record<string, Route> = {
  'POST /v1/images/edits': {
    body: 'json-or-multipart',
    handle: async ({ form, json, state, unparseable }) =>
      unusableImages(await imageEdit(form ?? editFormFromJson(json!, state.files)), unparseable),
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
  'POST /v1/files': { body: 'multipart', handle: ({ form, state }) => state.files.upload(form!) },
  'GET /v1/files': { body: 'none', handle: async ({ query, state }) => state.files.list(query.get('purpose')) },
  'GET /v1/files/:id': { body: 'none', handle: async ({ params, state }) => state.files.retrieve(params.id) },
  'GET /v1/files/:id/content': {
    body: 'none',
    handle: async ({ params, state }) => new RawAnswer(state.files.get(params.id).content, 'application/octet-stream'),
  },
  'DELETE /v1/files/:id': { body: 'none', handle: async ({ params, state }) => state.files.delete(params.id) },
  'POST /v1/batches': { body: 'json', handle: async ({ json, state }) => state.batches.create(json!) },
  'GET /v1/batches': { body: 'none', handle: async ({ query, state }) => state.batches.list(query) },
  'GET /v1/batches/:id': { body: 'none', handle: async ({ params, state }) => state.batches.retrieve(params.id) },
  'POST /v1/batches/:id/cancel': { body: 'none', handle: async ({ params, state }) => state.batches.cancel(params.id) },
};

/** ROUTES keys as patterns: `:name` matches one path segment. */
const MATCHERS = Object.entries(ROUTES).map(([key, route]) => {
  const [method, path] = key.split(' ');
  const names: string[] = [];
  const pattern = path.replace(/:(\w+)/g, (_, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  return { method, regex: new RegExp(`^${pattern}$`), names, route };
});

function findRoute(method: string, path: string): { route: Route; params: Record<string, string> } | undefined {
  for (const matcher of MATCHERS) {
    const match = matcher.method === method ? matcher.regex.exec(path) : null;
    if (match)
      return { route: matcher.route, params: Object.fromEntries(matcher.names.map((name, i) => [name, decodeURIComponent(match[i + 1])])) };
  }
  return undefined;
}

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

type ParsedBody = Pick<RouteInput, 'json' | 'form'>;

async function parseBody(req: IncomingMessage, body: Buffer, kind: Route['body']): Promise<ParsedBody> {
  if (kind === 'none') return {};
  const contentType = req.headers['content-type'] ?? '';
  if (kind === 'multipart' || (kind === 'json-or-multipart' && !contentType.startsWith('application/json'))) {
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

function modelOf(input: ParsedBody): string | undefined {
  const model = input.json?.model ?? input.form?.get('model');
  return typeof model === 'string' ? model : undefined;
}

function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}) {
  if (res.destroyed || res.headersSent) return; // the client gave up (e.g. its timeout fired during a slow answer)
  const text = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function sendRaw(res: ServerResponse, answer: RawAnswer) {
  if (res.destroyed || res.headersSent) return;
  res.writeHead(200, { 'content-type': answer.contentType, 'content-length': answer.bytes.length });
  res.end(answer.bytes);
}

function sendError(res: ServerResponse, error: unknown) {
  if (error instanceof ApiError) return sendJson(res, error.status, error.body(), error.headers);
  const message = error instanceof Error ? error.message : String(error);
  sendJson(res, 500, new ApiError(500, `Local server error: ${message}`, 'server_error').body());
}

/**
 * Starts a local server that speaks the OpenAI API for images (edits, generations), chat completions,
 * and files and batches (see batches.ts for what it follows of the Batch API).
 */
export async function startLocalOpenAI(options: LocalOpenAIOptions = {}): Promise<LocalOpenAI> {
  const host = options.host ?? '127.0.0.1';
  let latencyMs = options.latencyMs ?? 0;
  const faults = new Faults();
  const timers = new Set<NodeJS.Timeout>();
  let sequence = 0;
  const files = new FileStore(options.maxFileBytes ?? BATCH_FILE_MAX_BYTES);
  // A batch's request runs through the same handler as the sync request would, answer and usage alike.
  const runLine = (url: string, json: Record<string, unknown>, id: string) =>
    ROUTES[`POST ${url}`].handle({ json, id, params: {}, query: new URLSearchParams(), state });
  const batches = new BatchStore(files, runLine, {
    delayMs: options.batchDelayMs ?? 200,
    concurrency: options.batchConcurrency ?? 8,
  });
  const state: ServerState = { files, batches };

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
    const { queue, rate, latencyMs: latency, batch } = parsed.data;
    if (queue) faults.enqueue(queue);
    if (rate) faults.setRate(rate.rate, rate.fault);
    if (latency !== undefined) latencyMs = latency;
    if (batch) {
      if (batch.failCustomIds) local.failBatchLines(batch.failCustomIds, batch.failFault);
      if (batch.next) local.planBatches(...batch.next);
      if (batch.pollErrors !== undefined) local.failBatchPolls(batch.pollErrors);
      if (batch.delayMs !== undefined) local.setBatchDelay(batch.delayMs);
    }
    sendJson(res, 200, { queued: faults.pending, latencyMs, batchDelayMs: batches.options.delayMs });
  }

  async function api(req: IncomingMessage, res: ServerResponse, path: string) {
    // Deterministic ids: the nth request of a fresh server always has the same one.
    const id = createHash('sha256').update(`local-openai:${++sequence}`).digest('hex').slice(0, 32);
    // SIMULATED_HEADER lets Loupe mark what this server made as simulated, not real API output.
    const headers = { 'x-request-id': `req_${id}`, 'openai-version': '2020-10-01', [SIMULATED_HEADER]: '1' };
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);

    const body = await readBody(req);
    const found = findRoute(req.method ?? 'GET', path);
    const route = found?.route;
    // Parse before answering anything so the log has the model; parse errors are answered in their turn.
    let input: ParsedBody = {};
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
    const unparseable = fault !== undefined && 'unparseable' in fault;
    const query = new URL(req.url ?? '/', 'http://local').searchParams;
    const answer = await route.handle({ ...input, params: found!.params, query, id, unparseable, state });
    if (answer instanceof RawAnswer) sendRaw(res, answer);
    else sendJson(res, 200, answer);
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
    failBatchLines: (customIds, fault) => {
      batches.faults.failCustomIds = new Set(customIds);
      if (fault) batches.faults.failFault = fault;
    },
    planBatches: (...plans) => batches.faults.plans.push(...plans),
    failBatchPolls: (count) => {
      batches.faults.pollErrors = count;
    },
    setBatchDelay: (ms) => {
      batches.options.delayMs = ms;
    },
    close: async () => {
      batches.close();
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return local;
}
