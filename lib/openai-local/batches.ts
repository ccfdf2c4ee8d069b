/**
 * The Batch API (/v1/batches) of the local OpenAI-compatible server.
 *
 * What the real API supports, and where that comes from (researched 2026-12-07):
 * - Endpoints: `/v1/responses`, `/v1/chat/completions`, `/v1/embeddings`, `/v1/completions`,
 *   `/v1/moderations`, `/v1/images/generations`, `/v1/images/edits` and `/v1/videos`
 *   (openai-node 6.49.0, `BatchCreateParams.endpoint`, generated from the API's OpenAPI spec; OpenAI's
 *   announcement "Batch API now supports GPT Image models: gpt-image-1.5, chatgpt-image-latest,
 *   gpt-image-1, gpt-image-1-mini ... up to 50,000 generations or edits ... at 50% lower cost",
 *   @OpenAIDevs, quoted at https://headsupai.io/updates/openai-batch-api-now-supports-gpt-image-models-at-half-cost).
 *   This server runs the three Loupe uses: chat completions, image generations and image edits; the
 *   others are refused by name.
 * - Limits: `completion_window` must be `24h`; an input file has purpose `batch`, at most 50,000
 *   requests and 200 MB (same SDK docs).
 * - Input line: {"custom_id": string, unique in the file, "method": "POST", "url": the batch's endpoint,
 *   "body": the endpoint's request body}. Every line of a batch uses one model.
 *   * /v1/images/generations: `body` is the sync JSON body ({"model", "prompt", "n", "size", "quality", ...}).
 *   * /v1/images/edits: `body` is the JSON edit body (`EditImageBodyJsonParam`): input images as
 *     `"images": [{"image_url": "data:image/png;base64,..."}]` (or `{"file_id": ...}`), optional
 *     `"mask": {...}`, the other fields as in the multipart form; GPT image models only. See images-json.ts.
 *   Answers are exactly the sync answers, `usage` included (images: input_tokens/output_tokens;
 *   chat: prompt_tokens/completion_tokens).
 * - A file the API cannot run fails the batch (`status: "failed"`, `errors.data[]` of
 *   {code, line, message, param}) with the documented codes `invalid_json_line`, `duplicate_custom_id`,
 *   `url_mismatch`, `model_mismatch`, `empty_file`, `too_many_tasks` (as listed in
 *   https://github.com/stdapi-ai/stdapi.ai/issues/240, e.g. "This line is not parseable as valid JSON.").
 * - Output file, one line per successful request:
 *   {"id": "batch_req_...", "custom_id", "response": {"status_code": 200, "request_id", "body"}, "error": null}.
 *   Error file, one line per failed request. A request the endpoint refused (4xx/5xx) keeps its
 *   answer and has `error: null`, as the real API writes it (https://github.com/openai/openai-openapi/issues/302):
 *   {"id", "custom_id", "response": {"status_code": 400, "request_id", "body": {"error": {message, type, param, code}}}, "error": null}.
 *   A request that never ran (batch expired or cancelled) has no response:
 *   {"id", "custom_id", "response": null, "error": {"code": "batch_expired" | "batch_cancelled", "message"}}.
 *   So a client reads a line's failure as `error ?? response.body.error` whenever status_code is not 2xx.
 * - Output lines come in input order here; the real API does not promise an order, so match by custom_id.
 * - Answers are simulated like every answer of this server: the file content download and every
 *   /v1 answer carry the `x-loupe-simulated: 1` header.
 */
import { ApiError, invalidRequest, invalidType, invalidValue, missingParameter, unknownParameter } from './errors';
import { faultError, type FaultPlan } from './faults';
import { FileStore, now, objectId } from './files';

const API_BATCH_ENDPOINTS = [
  '/v1/responses',
  '/v1/chat/completions',
  '/v1/embeddings',
  '/v1/completions',
  '/v1/moderations',
  '/v1/images/generations',
  '/v1/images/edits',
  '/v1/videos',
] as const;
/** The endpoints this server runs in a batch. */
const LOCAL_BATCH_ENDPOINTS = ['/v1/chat/completions', '/v1/images/generations', '/v1/images/edits'];
const MAX_BATCH_REQUESTS = 50_000;
/** Any line whose custom_id or body contains this fails (see `BatchFaults.failCustomIds` for named lines). */
export const BATCH_FAIL_MARKER = '__batch_fail__';

const COMPLETION_WINDOWS = ['24h'];
const CREATE_PARAMS = new Set(['input_file_id', 'endpoint', 'completion_window', 'metadata', 'output_expires_after']);
const DAY = 24 * 60 * 60;
// Enough to name what is wrong without an errors list the size of the file.
const MAX_REPORTED_ERRORS = 100;
const LINE_FAULT: FaultPlan = { status: 500 };

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Runs one request of a batch through the server's own handler for `url`, as a sync request would. */
type LineRunner = (url: string, body: Json, requestId: string) => Promise<unknown>;

export interface BatchFaultPlan {
  /** The batch expires after this many of its requests have run; the rest are reported `batch_expired`. */
  expireAfter?: number;
  /** The batch is cancelled (as from another client) after this many of its requests have run. */
  cancelAfter?: number;
}

interface BatchOptions {
  /** How long a batch stays in progress at least, so clients really poll. */
  delayMs: number;
  /** Requests of one batch run at the same time. */
  concurrency: number;
}

interface BatchError {
  code: string;
  line: number | null;
  message: string;
  param: string | null;
}

interface Usage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

interface BatchObject {
  id: string;
  object: 'batch';
  endpoint: string;
  model: string | null;
  errors: { object: 'list'; data: BatchError[] } | null;
  input_file_id: string;
  completion_window: string;
  status: 'validating' | 'failed' | 'in_progress' | 'finalizing' | 'completed' | 'expired' | 'cancelling' | 'cancelled';
  output_file_id: string | null;
  error_file_id: string | null;
  created_at: number;
  in_progress_at: number | null;
  expires_at: number;
  finalizing_at: number | null;
  completed_at: number | null;
  failed_at: number | null;
  expired_at: number | null;
  cancelling_at: number | null;
  cancelled_at: number | null;
  request_counts: { total: number; completed: number; failed: number };
  usage: Usage;
  metadata: Record<string, string> | null;
}

interface BatchRequest {
  custom_id: string;
  body: Json;
}

interface Batch {
  object: BatchObject;
  plan: BatchFaultPlan;
  /** Set by cancel: stop starting requests, and wake the delay. */
  cancel: () => void;
  cancelled: boolean;
}

/** Faults for batches, set by options, methods of the server, or POST /__control/faults {"batch": ...}. */
class BatchFaults {
  failCustomIds = new Set<string>();
  failFault: FaultPlan = LINE_FAULT;
  /** Plans for the next batches created, in order. */
  plans: BatchFaultPlan[] = [];
  /** The next N GET /v1/batches/:id answer 500. */
  pollErrors = 0;

  failing(request: BatchRequest): boolean {
    const { custom_id: customId, body } = request;
    return this.failCustomIds.has(customId) || customId.includes(BATCH_FAIL_MARKER) || JSON.stringify(body).includes(BATCH_FAIL_MARKER);
  }
}

function emptyUsage(): Usage {
  return {
    input_tokens: 0,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: 0,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: 0,
  };
}

/** Adds a chat (prompt/completion tokens) or images (input/output tokens) answer's usage to the batch's. */
function addUsage(total: Usage, body: unknown) {
  const usage = isObject(body) && isObject(body.usage) ? body.usage : undefined;
  if (!usage) return;
  const number = (value: unknown) => (typeof value === 'number' ? value : 0);
  const input = number(usage.prompt_tokens ?? usage.input_tokens);
  const output = number(usage.completion_tokens ?? usage.output_tokens);
  const inputDetails = usage.prompt_tokens_details ?? usage.input_tokens_details;
  const outputDetails = usage.completion_tokens_details ?? usage.output_tokens_details;
  total.input_tokens += input;
  total.output_tokens += output;
  total.total_tokens += input + output;
  total.input_tokens_details.cached_tokens += isObject(inputDetails) ? number(inputDetails.cached_tokens) : 0;
  total.output_tokens_details.reasoning_tokens += isObject(outputDetails) ? number(outputDetails.reasoning_tokens) : 0;
}

function lineError(code: string, line: number | null, message: string, param: string | null = null): BatchError {
  return { code, line, message, param };
}

/** Reads the input file the way the API does before a batch starts: every line's shape, ids, url and model. */
function validateInput(content: Buffer, endpoint: string): { requests: BatchRequest[]; model: string | null } | { errors: BatchError[] } {
  const lines = splitLines(content);
  while (lines.length > 0 && lines[lines.length - 1]?.trim() === '') lines.pop();
  if (lines.length === 0) return { errors: [lineError('empty_file', null, 'The batch input file is empty.')] };
  if (lines.length > MAX_BATCH_REQUESTS) {
    return {
      errors: [
        lineError(
          'too_many_tasks',
          null,
          `The batch input file contains ${lines.length} requests; a batch may contain at most ${MAX_BATCH_REQUESTS}. Split it into several files.`,
        ),
      ],
    };
  }
  const errors: BatchError[] = [];
  const requests: BatchRequest[] = [];
  const seen = new Set<string>();
  let model: string | null | undefined;
  for (const [index, text] of lines.entries()) {
    const line = index + 1;
    const error = checkLine(text, line, endpoint, seen);
    if ('code' in error) {
      errors.push(error);
      if (errors.length >= MAX_REPORTED_ERRORS) break;
      continue;
    }
    const lineModel = typeof error.body.model === 'string' ? error.body.model : null;
    if (model === undefined) model = lineModel;
    else if (lineModel !== model) {
      errors.push(
        lineError(
          'model_mismatch',
          line,
          `The provided model '${lineModel}' does not match the model '${model}' of the batch's other requests; all requests in a batch must use the same model.`,
          'body.model',
        ),
      );
      if (errors.length >= MAX_REPORTED_ERRORS) break;
      continue;
    }
    requests.push(error);
  }
  return errors.length > 0 ? { errors } : { requests, model: model ?? null };
}

/** The file's lines as text; a line that is not UTF-8 becomes null (so it is named, not read with replacement characters). */
function splitLines(content: Buffer): (string | null)[] {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const lines: (string | null)[] = [];
  let start = 0;
  while (start <= content.length) {
    let end = content.indexOf(0x0a, start);
    if (end < 0) end = content.length;
    try {
      lines.push(decoder.decode(content.subarray(start, end)).replace(/\r$/, ''));
    } catch {
      lines.push(null);
    }
    start = end + 1;
  }
  return lines;
}

function checkLine(text: string | null, line: number, endpoint: string, seen: Set<string>): BatchRequest | BatchError {
  if (text === null) return lineError('invalid_json_line', line, 'This line is not valid UTF-8, so it is not parseable as valid JSON.');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return lineError('invalid_json_line', line, 'This line is not parseable as valid JSON.');
  }
  if (!isObject(value)) return lineError('invalid_json_line', line, 'This line is not a JSON object.');
  for (const name of ['custom_id', 'method', 'url', 'body']) {
    if (value[name] === undefined || value[name] === null) {
      return lineError('missing_required_parameter', line, `Missing required parameter: '${name}'.`, name);
    }
  }
  const { custom_id: customId, method, url, body } = value;
  if (typeof customId !== 'string' || customId === '') {
    return lineError('invalid_type', line, `Invalid type for 'custom_id': expected a non-empty string.`, 'custom_id');
  }
  if (method !== 'POST')
    return lineError('invalid_value', line, `Invalid value: '${String(method)}'. Supported values are: 'POST'.`, 'method');
  if (url !== endpoint) {
    return lineError('url_mismatch', line, `The URL provided for this request does not match the batch endpoint '${endpoint}'.`, 'url');
  }
  if (!isObject(body)) return lineError('invalid_type', line, `Invalid type for 'body': expected an object.`, 'body');
  if (seen.has(customId)) {
    return lineError(
      'duplicate_custom_id',
      line,
      `The custom_id for this request is a duplicate of another request. The custom_id parameter must be unique for each request in a batch. (custom_id '${customId}')`,
      'custom_id',
    );
  }
  seen.add(customId);
  return { custom_id: customId, body };
}

function checkMetadata(metadata: unknown): Record<string, string> | null {
  if (metadata === undefined || metadata === null) return null;
  if (!isObject(metadata)) throw invalidType('metadata', 'an object', metadata);
  const entries = Object.entries(metadata);
  if (entries.length > 16) {
    throw invalidRequest(
      `Invalid 'metadata': too many properties. Expected an object with at most 16 properties, but got ${entries.length}.`,
      'metadata',
      'object_above_max_properties',
    );
  }
  for (const [key, value] of entries) {
    if (key.length > 64)
      throw invalidRequest(`Invalid 'metadata': key '${key}' is longer than 64 characters.`, 'metadata', 'invalid_value');
    if (typeof value !== 'string') throw invalidType(`metadata.${key}`, 'a string', value);
    if (value.length > 512)
      throw invalidRequest(`Invalid 'metadata.${key}': string longer than 512 characters.`, `metadata.${key}`, 'string_above_max_length');
  }
  return metadata as Record<string, string>;
}

/** Batches kept in memory, each run in the background by `process`. */
export class BatchStore {
  private batches = new Map<string, Batch>();
  private timers = new Set<NodeJS.Timeout>();
  private closed = false;
  readonly faults = new BatchFaults();

  constructor(
    private files: FileStore,
    private runLine: LineRunner,
    public options: BatchOptions,
  ) {}

  /** POST /v1/batches: the request is checked at once; the file's lines are checked while `validating`. */
  create(body: Json) {
    for (const name of Object.keys(body)) {
      if (!CREATE_PARAMS.has(name)) throw unknownParameter(name);
    }
    for (const name of ['input_file_id', 'endpoint', 'completion_window']) {
      if (body[name] === undefined || body[name] === null) throw missingParameter(name);
    }
    const { input_file_id: fileId, endpoint, completion_window: window } = body;
    if (typeof fileId !== 'string') throw invalidType('input_file_id', 'a string', fileId);
    if (!(API_BATCH_ENDPOINTS as readonly unknown[]).includes(endpoint)) throw invalidValue('endpoint', endpoint, API_BATCH_ENDPOINTS);
    if (!LOCAL_BATCH_ENDPOINTS.includes(endpoint as string)) {
      throw invalidRequest(
        `The local OpenAI-compatible server runs batches for ${LOCAL_BATCH_ENDPOINTS.join(', ')} only, not '${String(endpoint)}'.`,
        'endpoint',
        'unsupported_value',
      );
    }
    if (!COMPLETION_WINDOWS.includes(window as string)) throw invalidValue('completion_window', window, COMPLETION_WINDOWS);
    const metadata = checkMetadata(body.metadata);
    const file = this.files.get(fileId);
    if (file.purpose !== 'batch') {
      throw invalidRequest(
        `The input file must have purpose 'batch', but ${fileId} has purpose '${file.purpose}'.`,
        'input_file_id',
        'invalid_value',
      );
    }

    const created = now();
    const object: BatchObject = {
      id: objectId('batch_'),
      object: 'batch',
      endpoint: endpoint as string,
      model: null,
      errors: null,
      input_file_id: fileId,
      completion_window: window as string,
      status: 'validating',
      output_file_id: null,
      error_file_id: null,
      created_at: created,
      in_progress_at: null,
      expires_at: created + DAY,
      finalizing_at: null,
      completed_at: null,
      failed_at: null,
      expired_at: null,
      cancelling_at: null,
      cancelled_at: null,
      request_counts: { total: 0, completed: 0, failed: 0 },
      usage: emptyUsage(),
      metadata,
    };
    const batch: Batch = { object, plan: this.faults.plans.shift() ?? {}, cancel: () => {}, cancelled: false };
    this.batches.set(object.id, batch);
    const started = Date.now();
    void this.process(batch, file.content, started).catch((error: unknown) => this.fail(batch, error));
    return { ...object };
  }

  retrieve(id: string) {
    if (this.faults.pollErrors > 0) {
      this.faults.pollErrors--;
      throw faultError({ status: 500 }, undefined);
    }
    return { ...this.get(id).object };
  }

  /** POST /v1/batches/:id/cancel: `cancelling` now, `cancelled` once the requests under way have ended. */
  cancel(id: string) {
    const batch = this.get(id);
    const { status } = batch.object;
    if (status === 'validating' || status === 'in_progress') this.startCancelling(batch);
    else if (status !== 'cancelling' && status !== 'cancelled') {
      throw invalidRequest(`Cannot cancel a batch with status '${status}'.`, null, null, 409);
    }
    return { ...batch.object };
  }

  /** GET /v1/batches: newest first, cursor `after` (a batch id) and `limit` (1 to 100, default 20). */
  list(query: URLSearchParams) {
    const all = [...this.batches.values()].map((batch) => batch.object).reverse();
    const after = query.get('after');
    const limitText = query.get('limit');
    const limit = limitText === null ? 20 : Number(limitText);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
      throw invalidRequest(`Invalid 'limit': expected an integer from 1 to 100, but got '${limitText}'.`, 'limit', 'invalid_value');
    }
    let start = 0;
    if (after !== null) {
      const index = all.findIndex((batch) => batch.id === after);
      if (index < 0) throw invalidRequest(`No batch found with id '${after}'.`, 'after', null, 404);
      start = index + 1;
    }
    const data = all.slice(start, start + limit).map((batch) => ({ ...batch }));
    return { object: 'list', data, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null, has_more: start + limit < all.length };
  }

  close() {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const batch of this.batches.values()) batch.cancel();
  }

  private get(id: string): Batch {
    const batch = this.batches.get(id);
    if (!batch) throw invalidRequest(`No batch found with id '${id}'.`, 'batch_id', null, 404);
    return batch;
  }

  private startCancelling(batch: Batch) {
    batch.object.status = 'cancelling';
    batch.object.cancelling_at = now();
    batch.cancelled = true;
    batch.cancel();
  }

  /** Waits until `until` (ms since the epoch), or less if the batch is cancelled or the server closes. */
  private wait(batch: Batch, until: number): Promise<void> {
    const ms = until - Date.now();
    if (ms <= 0 || batch.cancelled || this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
      batch.cancel = () => {
        clearTimeout(timer);
        this.timers.delete(timer);
        resolve();
      };
    });
  }

  private async process(batch: Batch, content: Buffer, started: number) {
    const object = batch.object;
    // One turn of the event loop in `validating`, so create answers it as the API does.
    await new Promise((resolve) => setImmediate(resolve));
    if (this.closed) return;
    const checked = validateInput(content, object.endpoint);
    if (batch.cancelled) return this.finish(batch, [], []);
    if ('errors' in checked) {
      object.status = 'failed';
      object.failed_at = now();
      object.errors = { object: 'list', data: checked.errors };
      return;
    }
    const { requests } = checked;
    object.model = checked.model;
    object.status = 'in_progress';
    object.in_progress_at = now();
    object.request_counts.total = requests.length;

    const results: (string | undefined)[] = new Array(requests.length);
    const ok: boolean[] = new Array(requests.length).fill(false);
    const { expireAfter, cancelAfter } = batch.plan;
    const stopAt = Math.min(expireAfter ?? Infinity, cancelAfter ?? Infinity);
    let next = 0;
    const worker = async () => {
      while (next < requests.length && next < stopAt && !batch.cancelled && !this.closed) {
        const index = next++;
        const { line, success } = await this.runRequest(object, requests[index]);
        results[index] = line;
        ok[index] = success;
        if (success) object.request_counts.completed++;
        else object.request_counts.failed++;
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, this.options.concurrency) }, worker));
    if (this.closed) return;
    const unfinished = next < requests.length;
    // Whichever fault comes first wins: a cancel at `cancelAfter`, or an expiry at `expireAfter`.
    const cancelFirst = cancelAfter !== undefined && cancelAfter <= (expireAfter ?? Infinity);
    if (unfinished && cancelFirst && !batch.cancelled) this.startCancelling(batch);

    // A batch ends `delayMs` after it was created. One that completes spends the last quarter of that
    // `finalizing`, so polls can meet that status as they do on the API; it cannot be cancelled then.
    const expiring = !batch.cancelled && unfinished && expireAfter !== undefined;
    const { delayMs } = this.options;
    if (!batch.cancelled) await this.wait(batch, started + (expiring ? delayMs : delayMs * 0.75));
    if (this.closed) return;
    const expired = expiring && !batch.cancelled;
    if (!batch.cancelled && !expired) {
      object.status = 'finalizing';
      object.finalizing_at = now();
      await this.wait(batch, started + delayMs);
      if (this.closed) return;
    }
    const code = batch.cancelled ? 'batch_cancelled' : 'batch_expired';
    const message = batch.cancelled
      ? 'This request was not executed because the batch was cancelled.'
      : 'This request could not be executed before the completion window expired.';
    const outputs: string[] = [];
    const errors: string[] = [];
    requests.forEach((request, index) => {
      const line = results[index];
      if (line === undefined) {
        errors.push(JSON.stringify({ id: objectId('batch_req_'), custom_id: request.custom_id, response: null, error: { code, message } }));
        object.request_counts.failed++;
      } else (ok[index] ? outputs : errors).push(line);
    });
    if (expired) {
      object.status = 'expired';
      object.expired_at = now();
    }
    this.finish(batch, outputs, errors);
  }

  /** Writes the output and error files and ends the batch: completed, expired or cancelled. */
  private finish(batch: Batch, outputs: string[], errors: string[]) {
    const object = batch.object;
    const write = (lines: string[], kind: string) =>
      lines.length === 0 ? null : this.files.add(Buffer.from(lines.join('\n') + '\n'), `${object.id}_${kind}.jsonl`, 'batch_output').id;
    if (batch.cancelled) {
      object.output_file_id = write(outputs, 'output');
      object.error_file_id = write(errors, 'error');
      object.status = 'cancelled';
      object.cancelled_at = now();
      return;
    }
    if (object.status === 'expired') {
      object.output_file_id = write(outputs, 'output');
      object.error_file_id = write(errors, 'error');
      return;
    }
    object.output_file_id = write(outputs, 'output');
    object.error_file_id = write(errors, 'error');
    object.status = 'completed';
    object.completed_at = now();
  }

  private async runRequest(object: BatchObject, request: BatchRequest): Promise<{ line: string; success: boolean }> {
    const hex = objectId('');
    const requestId = `req_${hex}`;
    let status = 200;
    let body: unknown;
    try {
      if (this.faults.failing(request)) throw faultError(this.faults.failFault, object.model ?? undefined);
      body = await this.runLine(object.endpoint, request.body, hex);
      addUsage(object.usage, body);
    } catch (error) {
      const apiError =
        error instanceof ApiError
          ? error
          : new ApiError(500, `Local server error: ${error instanceof Error ? error.message : String(error)}`, 'server_error');
      status = apiError.status;
      body = apiError.body();
    }
    const line = {
      id: `batch_req_${hex}`,
      custom_id: request.custom_id,
      response: { status_code: status, request_id: requestId, body },
      error: null,
    };
    return { line: JSON.stringify(line), success: status >= 200 && status < 300 };
  }

  private fail(batch: Batch, error: unknown) {
    const object = batch.object;
    object.status = 'failed';
    object.failed_at = now();
    const message = error instanceof Error ? error.message : String(error);
    object.errors = { object: 'list', data: [lineError('server_error', null, `Local server error: ${message}`)] };
  }
}
