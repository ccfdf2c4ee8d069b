import OpenAI, { BadRequestError, ConflictError, InternalServerError, NotFoundError, toFile } from 'openai';
import type { Batch } from 'openai/resources/batches';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BATCH_FAIL_MARKER } from './batches';
import { startLocalOpenAI, type LocalOpenAI } from './server';

const MAX_FILE_BYTES = 64 * 1024;

let server: LocalOpenAI;
let client: OpenAI;

beforeAll(async () => {
  server = await startLocalOpenAI({ batchDelayMs: 20, maxFileBytes: MAX_FILE_BYTES });
  client = new OpenAI({ apiKey: 'test', baseURL: server.url, maxRetries: 0 });
});

afterAll(async () => {
  await server.close();
});

type Line = { custom_id: string; method: string; url: string; body: Record<string, unknown> };

const chatBody = (text: string, model = 'gpt-4o-mini') => ({ model, messages: [{ role: 'user', content: text }] });
const chatLine = (customId: string, text = `Rewrite instruction ${customId}`, model?: string): Line => ({
  custom_id: customId,
  method: 'POST',
  url: '/v1/chat/completions',
  body: chatBody(text, model),
});

async function upload(lines: (Line | string)[], name = 'input.jsonl') {
  const text = lines.map((line) => (typeof line === 'string' ? line : JSON.stringify(line))).join('\n') + '\n';
  return client.files.create({ file: await toFile(Buffer.from(text), name), purpose: 'batch' });
}

async function submit(
  lines: (Line | string)[],
  endpoint: '/v1/chat/completions' | '/v1/images/generations' | '/v1/images/edits' = '/v1/chat/completions',
) {
  const file = await upload(lines);
  return client.batches.create({ input_file_id: file.id, endpoint, completion_window: '24h' });
}

const TERMINAL = ['completed', 'failed', 'expired', 'cancelled'];

async function settle(id: string, timeoutMs = 60_000): Promise<{ batch: Batch; seen: string[] }> {
  const seen: string[] = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const batch = await client.batches.retrieve(id);
    if (seen.at(-1) !== batch.status) seen.push(batch.status);
    if (TERMINAL.includes(batch.status)) return { batch, seen };
    if (Date.now() > deadline) throw new Error(`batch ${id} still ${batch.status} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read the lines' fields directly, each asserting what it reads
type Loose = any;

async function jsonl(fileId: string | null | undefined): Promise<Record<string, Loose>[]> {
  expect(fileId).toBeTruthy();
  const text = await (await client.files.content(fileId!)).text();
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line));
}

async function caught(promise: Promise<unknown>): Promise<Loose> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

describe('/v1/files', () => {
  it('stores a batch file, answers it, and forgets it on delete', async () => {
    const file = await upload([chatLine('a')], 'mine.jsonl');
    expect(file).toMatchObject({ object: 'file', purpose: 'batch', filename: 'mine.jsonl', status: 'processed' });
    expect(file.id).toMatch(/^file-/);
    expect(await client.files.retrieve(file.id)).toEqual(file);
    const content = await (await client.files.content(file.id)).text();
    expect(JSON.parse(content.trim())).toEqual(chatLine('a'));
    expect(file.bytes).toBe(Buffer.byteLength(content));
    expect(await client.files.delete(file.id)).toEqual({ id: file.id, object: 'file', deleted: true });
    const gone = await caught(client.files.retrieve(file.id));
    expect(gone).toBeInstanceOf(NotFoundError);
    expect(gone.message).toContain(`No such File object: ${file.id}`);
  });

  it('refuses other purposes the way the API does', async () => {
    const unknown = await caught(client.files.create({ file: await toFile(Buffer.from('{}\n'), 'x.jsonl'), purpose: 'bogus' as 'batch' }));
    expect(unknown).toBeInstanceOf(BadRequestError);
    expect(unknown.error).toMatchObject({ param: 'purpose', code: 'invalid_value', type: 'invalid_request_error' });
    expect(unknown.message).toContain("Invalid value: 'bogus'");
    const other = await caught(client.files.create({ file: await toFile(Buffer.from('{}\n'), 'x.jsonl'), purpose: 'fine-tune' }));
    expect(other).toBeInstanceOf(BadRequestError);
    expect(other.error).toMatchObject({ param: 'purpose', code: 'unsupported_value' });
  });

  it('refuses an upload that is not a multipart form or has no file', async () => {
    const post = (init: RequestInit) =>
      fetch(`${server.url}/files`, { method: 'POST', headers: { authorization: 'Bearer test' }, ...init });
    const json = await post({
      body: JSON.stringify({ purpose: 'batch' }),
      headers: { authorization: 'Bearer test', 'content-type': 'application/json' },
    });
    expect(json.status).toBe(400);
    expect((await json.json()).error.message).toContain('expected multipart/form-data');
    const form = new FormData();
    form.append('purpose', 'batch');
    const noFile = await post({ body: form });
    expect(noFile.status).toBe(400);
    expect((await noFile.json()).error).toMatchObject({ param: 'file', code: 'missing_required_parameter' });
  });

  it('lists files newest first, by purpose', async () => {
    const file = await upload([chatLine('listed')]);
    const { batch } = await settle((await submit([chatLine('listed-output')])).id);
    const inputs = await client.files.list({ purpose: 'batch' });
    expect(inputs.data[0].id).not.toBe(batch.output_file_id);
    expect(inputs.data.map((f) => f.id)).toContain(file.id);
    expect(inputs.data.every((f) => f.purpose === 'batch')).toBe(true);
    const outputs = await client.files.list({ purpose: 'batch_output' });
    expect(outputs.data[0].id).toBe(batch.output_file_id);
  });

  it('refuses a file over the size limit, naming the limit and the size', async () => {
    const big = Buffer.alloc(MAX_FILE_BYTES + 1, 'a');
    const error = await caught(client.files.create({ file: await toFile(big, 'big.jsonl'), purpose: 'batch' }));
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error.error).toMatchObject({ param: 'file', code: 'file_too_large' });
    expect(error.message).toContain('File is too large.');
    expect(error.message).toContain(`${MAX_FILE_BYTES + 1} bytes`);
    // Exactly at the limit is fine.
    const atLimit = await client.files.create({ file: await toFile(Buffer.alloc(MAX_FILE_BYTES, 'a'), 'ok.jsonl'), purpose: 'batch' });
    expect(atLimit.bytes).toBe(MAX_FILE_BYTES);
  });
});

describe('/v1/batches: the happy path', () => {
  it('runs chat lines through the sync handler: validating → in_progress → completed, answers and usage as sync', async () => {
    const lines = ['a', 'b', 'c'].map((id) => chatLine(id));
    const file = await upload(lines);
    server.setBatchDelay(800); // long enough for polls to see in_progress and finalizing on a busy machine
    const created = await client.batches.create({
      input_file_id: file.id,
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
      metadata: { loupe: 'test' },
    });
    expect(created).toMatchObject({
      object: 'batch',
      status: 'validating',
      endpoint: '/v1/chat/completions',
      input_file_id: file.id,
      completion_window: '24h',
      metadata: { loupe: 'test' },
      output_file_id: null,
      error_file_id: null,
      request_counts: { total: 0, completed: 0, failed: 0 },
    });
    expect(created.expires_at! - created.created_at).toBe(24 * 60 * 60);

    const { batch, seen } = await settle(created.id);
    server.setBatchDelay(20);
    // Each status in its turn (a poll may miss validating, which lasts one turn of the event loop).
    expect(seen.filter((status) => status !== 'validating')).toEqual(['in_progress', 'finalizing', 'completed']);
    expect(batch).toMatchObject({
      model: 'gpt-4o-mini',
      error_file_id: null,
      errors: null,
      request_counts: { total: 3, completed: 3, failed: 0 },
    });
    for (const at of ['in_progress_at', 'finalizing_at', 'completed_at'] as const)
      expect(batch[at]).toBeGreaterThanOrEqual(batch.created_at);

    const output = await jsonl(batch.output_file_id);
    expect(output.map((line) => line.custom_id)).toEqual(['a', 'b', 'c']);
    let inputTokens = 0;
    let outputTokens = 0;
    for (const [index, line] of output.entries()) {
      expect(line.id).toMatch(/^batch_req_/);
      expect(line.error).toBeNull();
      expect(line.response.status_code).toBe(200);
      expect(line.response.request_id).toMatch(/^req_/);
      const sync = await client.chat.completions.create(lines[index].body as never);
      const { id: _a, created: _b, ...body } = line.response.body;
      const { id: _c, created: _d, ...syncBody } = sync;
      void [_a, _b, _c, _d];
      expect(body).toEqual(syncBody);
      inputTokens += sync.usage!.prompt_tokens;
      outputTokens += sync.usage!.completion_tokens;
    }
    expect(batch.usage).toMatchObject({ input_tokens: inputTokens, output_tokens: outputTokens, total_tokens: inputTokens + outputTokens });

    const outputFile = await client.files.retrieve(batch.output_file_id!);
    expect(outputFile.purpose).toBe('batch_output');
  });

  it('marks its answers simulated, as every answer of the local server', async () => {
    const { batch } = await settle((await submit([chatLine('sim')])).id);
    const response = await client.files.content(batch.output_file_id!);
    expect(response.headers.get('x-loupe-simulated')).toBe('1');
  });

  it('runs image generations and JSON image edits as the sync routes answer them', async () => {
    const source = await sharp({ create: { width: 96, height: 64, channels: 3, background: '#3366cc' } })
      .png()
      .toBuffer();
    const dataUrl = `data:image/png;base64,${source.toString('base64')}`;
    const editBody = {
      model: 'gpt-image-1',
      prompt: 'make it black and white',
      images: [{ image_url: dataUrl }],
      size: '1536x1024',
      quality: 'low',
    };
    const edits = await settle(
      (await submit([{ custom_id: 'e1', method: 'POST', url: '/v1/images/edits', body: editBody }], '/v1/images/edits')).id,
    );
    expect(edits.batch.status).toBe('completed');
    const [edited] = await jsonl(edits.batch.output_file_id);
    const sync = await client.images.edit({
      model: 'gpt-image-1',
      prompt: 'make it black and white',
      image: await toFile(source, 'source.png', { type: 'image/png' }),
      size: '1536x1024',
      quality: 'low',
    });
    expect(edited.response.body.data[0].b64_json).toBe(sync.data![0].b64_json);
    expect(edited.response.body.usage).toEqual(sync.usage);
    const meta = await sharp(Buffer.from(edited.response.body.data[0].b64_json, 'base64')).metadata();
    expect([meta.width, meta.height]).toEqual([1536, 1024]);
    expect(edits.batch.usage?.output_tokens).toBe(sync.usage!.output_tokens);

    const generationBody = { model: 'gpt-image-1', prompt: 'a red bicycle', size: '1024x1024', quality: 'low' };
    const generations = await settle(
      (await submit([{ custom_id: 'g1', method: 'POST', url: '/v1/images/generations', body: generationBody }], '/v1/images/generations'))
        .id,
    );
    const [generated] = await jsonl(generations.batch.output_file_id);
    const syncGenerated = await client.images.generate({
      model: 'gpt-image-1',
      prompt: 'a red bicycle',
      size: '1024x1024',
      quality: 'low',
    });
    expect(generated.response.body.data[0].b64_json).toBe(syncGenerated.data![0].b64_json);
    expect(generated.response.body.usage).toEqual(syncGenerated.usage);
  });

  it('lists batches newest first with after and limit', async () => {
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await submit([chatLine(`list-${i}`)])).id);
    const first = await client.batches.list({ limit: 2 });
    expect(first.data.map((batch) => batch.id)).toEqual([ids[2], ids[1]]);
    expect(first.has_more).toBe(true);
    const second = await client.batches.list({ limit: 1, after: ids[1] });
    expect(second.data.map((batch) => batch.id)).toEqual([ids[0]]);
    for (const id of ids) await settle(id);
  });
});

describe('/v1/batches: refusals at create', () => {
  it('refuses a bad endpoint, completion window, parameter or file the way the API does', async () => {
    const file = await upload([chatLine('r')]);
    const create = (body: Record<string, unknown>) =>
      caught(
        client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h', ...body } as never),
      );

    const endpoint = await create({ endpoint: '/v1/nothing' });
    expect(endpoint).toBeInstanceOf(BadRequestError);
    expect(endpoint.error).toMatchObject({ param: 'endpoint', code: 'invalid_value' });
    expect(endpoint.message).toContain("'/v1/images/edits'");

    const notHere = await create({ endpoint: '/v1/embeddings' });
    expect(notHere.error).toMatchObject({ param: 'endpoint', code: 'unsupported_value' });

    const window = await create({ completion_window: '1h' });
    expect(window.error).toMatchObject({ param: 'completion_window', code: 'invalid_value' });
    expect(window.message).toContain("Supported values are: '24h'");

    const unknown = await create({ priority: 'high' });
    expect(unknown.error).toMatchObject({ param: 'priority', code: 'unknown_parameter' });

    const metadata = await create({ metadata: { note: 'x'.repeat(513) } });
    expect(metadata.error).toMatchObject({ code: 'string_above_max_length' });

    const missing = await create({ input_file_id: 'file-nope' });
    expect(missing).toBeInstanceOf(NotFoundError);

    const { batch } = await settle((await submit([chatLine('out')])).id);
    const purpose = await create({ input_file_id: batch.output_file_id });
    expect(purpose).toBeInstanceOf(BadRequestError);
    expect(purpose.message).toContain("must have purpose 'batch'");
  });
});

describe('/v1/batches: input files the API fails while validating', () => {
  const cases: [string, (Line | string)[], { code: string; line: number | null; param?: string | null }][] = [
    ['a line that is not JSON', [chatLine('ok'), '{"custom_id": "x", '], { code: 'invalid_json_line', line: 2 }],
    [
      'a missing custom_id',
      [{ ...chatLine('x'), custom_id: undefined } as unknown as Line],
      { code: 'missing_required_parameter', line: 1, param: 'custom_id' },
    ],
    [
      'a custom_id that is not a string',
      [{ ...chatLine('x'), custom_id: 7 } as unknown as Line],
      { code: 'invalid_type', line: 1, param: 'custom_id' },
    ],
    ['a method other than POST', [{ ...chatLine('x'), method: 'GET' }], { code: 'invalid_value', line: 1, param: 'method' }],
    [
      'a url other than the endpoint',
      [chatLine('a'), { ...chatLine('b'), url: '/v1/images/generations' }],
      { code: 'url_mismatch', line: 2, param: 'url' },
    ],
    [
      'a body that is not an object',
      [{ ...chatLine('x'), body: 'hello' } as unknown as Line],
      { code: 'invalid_type', line: 1, param: 'body' },
    ],
    [
      'a duplicate custom_id',
      [chatLine('same'), chatLine('other'), chatLine('same')],
      { code: 'duplicate_custom_id', line: 3, param: 'custom_id' },
    ],
    ['two models in one batch', [chatLine('a'), chatLine('b', 'hi', 'gpt-4o')], { code: 'model_mismatch', line: 2 }],
    ['an empty file', [''], { code: 'empty_file', line: null }],
  ];

  it('fails on a line that is not UTF-8, naming it', async () => {
    const good = Buffer.from(JSON.stringify(chatLine('a')) + '\n');
    const bad = Buffer.concat([Buffer.from('{"custom_id": "b'), Buffer.from([0xff, 0xfe]), Buffer.from('", "method": "POST"}\n')]);
    const file = await client.files.create({ file: await toFile(Buffer.concat([good, bad]), 'latin.jsonl'), purpose: 'batch' });
    const created = await client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
    const { batch } = await settle(created.id);
    expect(batch.status).toBe('failed');
    expect(batch.errors?.data?.[0]).toMatchObject({ code: 'invalid_json_line', line: 2 });
    expect(batch.errors?.data?.[0].message).toContain('UTF-8');
  });
  for (const [name, lines, expected] of cases) {
    it(`fails on ${name}`, async () => {
      const { batch } = await settle((await submit(lines)).id);
      expect(batch.status).toBe('failed');
      expect(batch.failed_at).toBeGreaterThanOrEqual(batch.created_at);
      expect(batch.errors?.data?.[0]).toMatchObject(expected);
      expect(batch.errors?.data?.[0].message).toBeTruthy();
      expect(batch.output_file_id).toBeNull();
    });
  }

  it('fails on more than 50,000 requests', async () => {
    const big = await startLocalOpenAI({ batchDelayMs: 0 });
    try {
      const bigClient = new OpenAI({ apiKey: 'test', baseURL: big.url, maxRetries: 0 });
      const line = (i: number) =>
        JSON.stringify({ custom_id: `r${i}`, method: 'POST', url: '/v1/chat/completions', body: { model: 'gpt-4o-mini' } });
      const text = Array.from({ length: 50_001 }, (_, i) => line(i)).join('\n');
      const file = await bigClient.files.create({ file: await toFile(Buffer.from(text), 'big.jsonl'), purpose: 'batch' });
      let batch = await bigClient.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
      while (batch.status === 'validating') batch = await bigClient.batches.retrieve(batch.id);
      expect(batch.status).toBe('failed');
      expect(batch.errors?.data?.[0]).toMatchObject({ code: 'too_many_tasks', line: null });
      expect(batch.errors?.data?.[0].message).toContain('50001');
    } finally {
      await big.close();
    }
  });
});

describe('/v1/batches: faults', () => {
  it('fails the lines named by custom_id or marker, and keeps a line the handler refused as the API answered it', async () => {
    server.failBatchLines(['b']);
    try {
      const lines = [chatLine('a'), chatLine('b'), chatLine(`c${BATCH_FAIL_MARKER}`), chatLine('d')];
      lines[3].body.messages = 'not an array';
      const { batch } = await settle((await submit(lines)).id);
      expect(batch.status).toBe('completed');
      expect(batch.request_counts).toEqual({ total: 4, completed: 1, failed: 3 });
      expect((await jsonl(batch.output_file_id)).map((line) => line.custom_id)).toEqual(['a']);
      const errors = await jsonl(batch.error_file_id);
      expect(errors.map((line) => line.custom_id)).toEqual(['b', `c${BATCH_FAIL_MARKER}`, 'd']);
      expect(errors[0]).toMatchObject({ error: null, response: { status_code: 500, body: { error: { type: 'server_error' } } } });
      expect(errors[2]).toMatchObject({
        error: null,
        response: { status_code: 400, body: { error: { param: 'messages', code: 'invalid_type' } } },
      });
    } finally {
      server.failBatchLines([]);
    }
  });

  it('fails a line whose body carries the marker, so a client can fail one job by its content', async () => {
    const { batch } = await settle((await submit([chatLine('job-1'), chatLine('job-2', `Rewrite ${BATCH_FAIL_MARKER} this`)])).id);
    expect(batch.request_counts).toEqual({ total: 2, completed: 1, failed: 1 });
    expect((await jsonl(batch.error_file_id)).map((line) => [line.custom_id, line.response.status_code])).toEqual([['job-2', 500]]);
  });

  it('fails a line of a failing kind with the given fault (a 400 here)', async () => {
    server.failBatchLines(['job-9'], { status: 400, code: 'moderation_blocked' });
    try {
      const { batch } = await settle((await submit([chatLine('job-9')])).id);
      const [line] = await jsonl(batch.error_file_id);
      expect(line.response).toMatchObject({ status_code: 400, body: { error: { code: 'moderation_blocked' } } });
    } finally {
      server.failBatchLines([], { status: 500 });
    }
  });

  it('keeps an image edit the endpoint refused as the API answered it', async () => {
    const body = { model: 'gpt-image-1', prompt: 'x', images: [{ image_url: 'https://example.com/a.png' }] };
    const { batch } = await settle(
      (await submit([{ custom_id: 'e', method: 'POST', url: '/v1/images/edits', body }], '/v1/images/edits')).id,
    );
    const [line] = await jsonl(batch.error_file_id);
    expect(line.response).toMatchObject({ status_code: 400, body: { error: { code: 'invalid_image_url', param: 'images[0].image_url' } } });
  });

  it('expires a batch with partial output: the lines that ran, and batch_expired for the rest', async () => {
    server.planBatches({ expireAfter: 2 });
    const { batch, seen } = await settle((await submit(['a', 'b', 'c', 'd', 'e'].map((id) => chatLine(id)))).id);
    expect(seen.at(-1)).toBe('expired');
    expect(batch.expired_at).toBeGreaterThanOrEqual(batch.created_at);
    expect(batch.request_counts).toEqual({ total: 5, completed: 2, failed: 3 });
    expect((await jsonl(batch.output_file_id)).map((line) => line.custom_id)).toEqual(['a', 'b']);
    const errors = await jsonl(batch.error_file_id);
    expect(errors.map((line) => line.custom_id)).toEqual(['c', 'd', 'e']);
    expect(errors[0]).toMatchObject({ response: null, error: { code: 'batch_expired' } });
  });

  it('cancels a batch with partial output: cancelling, then cancelled', async () => {
    server.planBatches({ cancelAfter: 3 });
    const { batch, seen } = await settle((await submit(['a', 'b', 'c', 'd', 'e'].map((id) => chatLine(id)))).id);
    expect(seen.at(-1)).toBe('cancelled');
    expect(batch.cancelling_at).toBeGreaterThanOrEqual(batch.created_at);
    expect(batch.cancelled_at).toBeGreaterThanOrEqual(batch.cancelling_at!);
    expect((await jsonl(batch.output_file_id)).map((line) => line.custom_id)).toEqual(['a', 'b', 'c']);
    const errors = await jsonl(batch.error_file_id);
    expect(errors.map((line) => [line.custom_id, line.error.code])).toEqual([
      ['d', 'batch_cancelled'],
      ['e', 'batch_cancelled'],
    ]);
  });

  it('cancels on request: the answer says cancelling, the batch ends cancelled; an ended batch cannot be cancelled', async () => {
    server.setBatchDelay(60_000);
    try {
      const created = await submit([chatLine('a')]);
      let batch = await client.batches.retrieve(created.id);
      while (batch.status === 'validating') batch = await client.batches.retrieve(created.id);
      const cancelling = await client.batches.cancel(created.id);
      expect(cancelling.status).toBe('cancelling');
      const ended = await settle(created.id, 5_000);
      expect(ended.batch.status).toBe('cancelled');
    } finally {
      server.setBatchDelay(20);
    }
    const { batch } = await settle((await submit([chatLine('done')])).id);
    const error = await caught(client.batches.cancel(batch.id));
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.message).toContain("Cannot cancel a batch with status 'completed'");
  });

  it('cannot cancel a batch that is finalizing', async () => {
    server.setBatchDelay(2_000);
    try {
      const created = await submit([chatLine('f')]);
      let batch = await client.batches.retrieve(created.id);
      while (batch.status !== 'finalizing') batch = await client.batches.retrieve(created.id);
      const error = await caught(client.batches.cancel(created.id));
      expect(error).toBeInstanceOf(ConflictError);
      expect((await settle(created.id)).batch.status).toBe('completed');
    } finally {
      server.setBatchDelay(20);
    }
  });

  it('answers 500 to the next N polls, then the batch again', async () => {
    const created = await submit([chatLine('poll')]);
    server.failBatchPolls(2);
    expect(await caught(client.batches.retrieve(created.id))).toBeInstanceOf(InternalServerError);
    expect(await caught(client.batches.retrieve(created.id))).toBeInstanceOf(InternalServerError);
    expect((await client.batches.retrieve(created.id)).id).toBe(created.id);
    await settle(created.id);
  });

  it('takes batch faults through POST /__control/faults, for a server in its own process', async () => {
    const control = (body: unknown) =>
      fetch(server.url.replace(/\/v1$/, '/__control/faults'), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await control({ batch: { next: [{ expireAfter: 1 }], pollErrors: 1, failCustomIds: ['x'] } })).status).toBe(200);
    const created = await submit([chatLine('x'), chatLine('y')]);
    expect(await caught(client.batches.retrieve(created.id))).toBeInstanceOf(InternalServerError);
    const { batch } = await settle(created.id);
    expect(batch.status).toBe('expired');
    const errors = await jsonl(batch.error_file_id);
    expect(errors.map((line) => [line.custom_id, line.response?.status_code ?? line.error.code])).toEqual([
      ['x', 500],
      ['y', 'batch_expired'],
    ]);
    expect((await control({ batch: { failCustomIds: [], pollErrors: -1 } })).status).toBe(400);
    expect((await control({ batch: { failCustomIds: [] } })).status).toBe(200);
  });
});

describe('/v1/batches: the server closing', () => {
  it('closes at once with a batch in progress, and answers nothing after', async () => {
    const other = await startLocalOpenAI({ batchDelayMs: 60_000 });
    const otherClient = new OpenAI({ apiKey: 'test', baseURL: other.url, maxRetries: 0 });
    const file = await otherClient.files.create({
      file: await toFile(Buffer.from(JSON.stringify(chatLine('a'))), 'a.jsonl'),
      purpose: 'batch',
    });
    await otherClient.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
    const started = Date.now();
    await other.close();
    expect(Date.now() - started).toBeLessThan(2_000);
    await expect(otherClient.files.list()).rejects.toThrow();
  });
});

describe('/v1/batches: scale', () => {
  it('runs 10,000 lines with bounded concurrency', async () => {
    const lines = Array.from({ length: 10_000 }, (_, i) => chatLine(`job-${i}`, `Rewrite: make the sky ${i % 7} shades bluer`));
    const big = await startLocalOpenAI({ batchDelayMs: 0 });
    try {
      const bigClient = new OpenAI({ apiKey: 'test', baseURL: big.url, maxRetries: 0 });
      const text = lines.map((line) => JSON.stringify(line)).join('\n');
      const file = await bigClient.files.create({ file: await toFile(Buffer.from(text), 'big.jsonl'), purpose: 'batch' });
      const created = await bigClient.batches.create({
        input_file_id: file.id,
        endpoint: '/v1/chat/completions',
        completion_window: '24h',
      });
      let batch = created;
      while (!TERMINAL.includes(batch.status)) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        batch = await bigClient.batches.retrieve(created.id);
      }
      expect(batch.status).toBe('completed');
      expect(batch.request_counts).toEqual({ total: 10_000, completed: 10_000, failed: 0 });
      const output = (await (await bigClient.files.content(batch.output_file_id!)).text()).trim().split('\n');
      expect(output).toHaveLength(10_000);
      expect(new Set(output.map((line) => JSON.parse(line).custom_id)).size).toBe(10_000);
    } finally {
      await big.close();
    }
  }, 120_000);
});
