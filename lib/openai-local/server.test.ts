import OpenAI, { APIConnectionTimeoutError, BadRequestError, InternalServerError, NotFoundError, RateLimitError, toFile } from 'openai';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalOpenAI, type LocalOpenAI } from './server';

const W = 1024;
const CONTENT_H = 683; // a 3:2 picture padded to a square with white bands, as a client would
const TOP = Math.floor((W - CONTENT_H) / 2);

/** A colourful, left-right asymmetric picture (so flips are detectable). */
function pictureSvg(width: number, height: number): Buffer {
  return Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <defs><linearGradient id="g"><stop offset="0" stop-color="#d03020"/><stop offset="1" stop-color="#2040c0"/></linearGradient></defs>
    <rect width="${width}" height="${height}" fill="url(#g)"/>
    <circle cx="${width * 0.25}" cy="${height * 0.5}" r="${height * 0.3}" fill="#20b040"/>
    <rect x="${width * 0.6}" y="${height * 0.1}" width="${width * 0.3}" height="${height * 0.25}" fill="#f0d020"/>
  </svg>`);
}

async function picture(width = W, height = CONTENT_H): Promise<Buffer> {
  return sharp(pictureSvg(width, height)).png().toBuffer();
}

async function paddedSource(): Promise<Buffer> {
  return sharp({ create: { width: W, height: W, channels: 3, background: '#ffffff' } })
    .composite([{ input: await picture(), top: TOP, left: 0 }])
    .removeAlpha()
    .png()
    .toBuffer();
}

async function rgb(image: Buffer) {
  const { data, info } = await sharp(image).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels };
}

function decode(b64: string | undefined): Buffer {
  expect(b64).toBeTruthy();
  return Buffer.from(b64!, 'base64');
}

const pngFile = (bytes: Buffer, name = 'source.png') => toFile(bytes, name, { type: 'image/png' });
const dataUrl = (bytes: Buffer) => `data:image/png;base64,${bytes.toString('base64')}`;

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

let server: LocalOpenAI;
let client: OpenAI;
let source: Buffer;

beforeAll(async () => {
  server = await startLocalOpenAI();
  client = new OpenAI({ apiKey: 'test', baseURL: server.url, maxRetries: 0 });
  source = await paddedSource();
});
afterAll(() => server.close());

describe('images.edit', () => {
  it('turns the image black and white at the requested size, keeps the padding, and reports usage', async () => {
    const prompt = 'Make it black and white';
    const { data, request_id } = await client.images
      .edit({ model: 'gpt-image-1', image: await pngFile(source), prompt, size: '1024x1024', quality: 'high' })
      .withResponse();
    expect(request_id).toMatch(/^req_[0-9a-f]{32}$/);
    expect(data).toMatchObject({ background: 'opaque', output_format: 'png', quality: 'high', size: '1024x1024' });
    expect(data.usage).toEqual({
      input_tokens: Math.ceil(prompt.length / 4) + 323,
      input_tokens_details: { text_tokens: Math.ceil(prompt.length / 4), image_tokens: 323 },
      output_tokens: 4160,
      total_tokens: Math.ceil(prompt.length / 4) + 323 + 4160,
    });

    const out = decode(data.data?.[0].b64_json);
    expect((await sharp(out).metadata()).format).toBe('png');
    const { data: px, width, height, channels } = await rgb(out);
    expect([width, height]).toEqual([W, W]);
    let colourfulness = 0;
    for (let i = 0; i < px.length; i += channels) {
      colourfulness = Math.max(colourfulness, Math.abs(px[i] - px[i + 1]), Math.abs(px[i + 1] - px[i + 2]));
    }
    expect(colourfulness).toBeLessThanOrEqual(2);
    // The white bands stay where the client put them.
    let darkestBandPixel = 255;
    for (const [from, to] of [
      [0, TOP],
      [TOP + CONTENT_H, W],
    ]) {
      for (let i = from * W * channels; i < to * W * channels; i++) darkestBandPixel = Math.min(darkestBandPixel, px[i]);
    }
    expect(darkestBandPixel).toBeGreaterThanOrEqual(250);
    // ...and the content is still there, not white.
    expect(px[((TOP + CONTENT_H / 2) * W + W / 4) * channels]).toBeLessThan(200);
  });

  it('keeps the padding white with a prompt that names no effect', async () => {
    const result = await client.images.edit({ model: 'gpt-image-1', image: await pngFile(source), prompt: 'Make it nicer' });
    const { data: px, channels } = await rgb(decode(result.data?.[0].b64_json));
    for (const y of [0, TOP - 1, TOP + CONTENT_H, W - 1]) {
      const row = px.subarray(y * W * channels, (y + 1) * W * channels);
      expect(Math.min(...row), `row ${y}`).toBe(255);
    }
    expect(Math.min(...px.subarray(TOP * W * channels, (TOP + 1) * W * channels))).toBeLessThan(200);
  });

  it('mirrors the image for a flip prompt', async () => {
    const result = await client.images.edit({ model: 'gpt-image-1', image: await pngFile(source), prompt: 'Mirror the photo' });
    const expected = await rgb(await sharp(source).flop().png().toBuffer());
    const actual = await rgb(decode(result.data?.[0].b64_json));
    let diff = 0;
    for (let i = 0; i < actual.data.length; i++) diff += Math.abs(actual.data[i] - expected.data[i]);
    expect(diff / actual.data.length).toBeLessThan(1);
  });

  it('resizes to the requested size, picks the nearest size for auto, and counts tokens per the tables', async () => {
    const wide = await client.images.edit({
      model: 'gpt-image-1',
      image: await pngFile(source),
      prompt: 'blur it',
      size: '1536x1024',
      quality: 'low',
    });
    expect(await sharp(decode(wide.data?.[0].b64_json)).metadata()).toMatchObject({ width: 1536, height: 1024 });
    expect(wide.usage?.output_tokens).toBe(408);
    expect(wide).toMatchObject({ size: '1536x1024', quality: 'low' });

    const tall = await picture(1000, 1500);
    const auto = await client.images.edit({
      model: 'gpt-image-1',
      image: await pngFile(tall),
      prompt: 'sepia',
      quality: 'medium',
      output_format: 'webp',
    });
    expect(auto).toMatchObject({ size: '1024x1536', output_format: 'webp', quality: 'medium' });
    expect(await sharp(decode(auto.data?.[0].b64_json)).metadata()).toMatchObject({ width: 1024, height: 1536, format: 'webp' });
    expect(auto.usage?.output_tokens).toBe(1584);
  });

  it('accepts several images (sent as image[]) and n', async () => {
    const result = await client.images.edit({
      model: 'gpt-image-1',
      image: [await pngFile(source), await toFile(await sharp(source).jpeg().toBuffer(), 'b.jpg', { type: 'image/jpeg' })],
      prompt: 'invert it',
      n: 2,
      input_fidelity: 'low',
      size: '1024x1024',
    });
    expect(result.data).toHaveLength(2);
    expect(result.usage?.input_tokens_details.image_tokens).toBe(2 * 323);
    expect(server.requests.at(-1)).toMatchObject({ method: 'POST', path: '/v1/images/edits', model: 'gpt-image-1' });
  });

  it('refuses an upload whose content type is not an image type, naming it', async () => {
    const error = await caught(
      client.images.edit({ model: 'gpt-image-1', image: await toFile(source, 'source.png'), prompt: 'Make it black and white' }),
    );
    expect(error).toBeInstanceOf(BadRequestError);
    const e = error as BadRequestError;
    expect(e.status).toBe(400);
    expect(e.message).toContain(
      "Invalid file 'image': unsupported mimetype ('application/octet-stream'). Supported file formats are 'image/jpeg', 'image/png', and 'image/webp'.",
    );
    expect(e.param).toBe('image');
  });

  it('validates size, quality, model, response_format, prompt and n like the API', async () => {
    const image = await pngFile(source);
    const cases: [Record<string, unknown>, string, string][] = [
      [{ size: '512x512' }, 'size', "Invalid value: '512x512'. Supported values are: '1024x1024', '1536x1024', '1024x1536', and 'auto'."],
      [{ quality: 'standard' }, 'quality', "Invalid value: 'standard'. Supported values are: 'low', 'medium', 'high', and 'auto'."],
      [{ model: 'gpt-4o' }, 'model', "Invalid value: 'gpt-4o'."],
      [{ response_format: 'b64_json' }, 'response_format', "Unknown parameter: 'response_format'."],
      [{ prompt: 'x'.repeat(32001) }, 'prompt', 'string too long'],
      [{ n: 11 }, 'n', 'Expected a value <= 10'],
      [{ input_fidelity: 'medium' }, 'input_fidelity', "Invalid value: 'medium'."],
    ];
    for (const [override, param, message] of cases) {
      const body = { model: 'gpt-image-1', image, prompt: 'Make it black and white', ...override };
      const error = (await caught(client.images.edit(body as never))) as BadRequestError;
      expect(error, param).toBeInstanceOf(BadRequestError);
      expect(error.param).toBe(param);
      expect(error.message).toContain(message);
    }
  });

  it('defaults to dall-e-2 like the API when no model is given, and dall-e-2 wants an RGBA PNG', async () => {
    const error = (await caught(client.images.edit({ image: await pngFile(source), prompt: 'x' }))) as BadRequestError;
    expect(error.message).toContain("format must be in ['RGBA', 'LA', 'L'], got RGB");
  });
});

describe('images.generate', () => {
  it('returns a deterministic image of the requested size', async () => {
    const params = { model: 'gpt-image-1', prompt: 'A lighthouse at dusk', size: '1536x1024', quality: 'low' } as const;
    const [a, b, c] = await Promise.all([
      client.images.generate(params),
      client.images.generate(params),
      client.images.generate({ ...params, prompt: 'A red barn' }),
    ]);
    const bytes = decode(a.data?.[0].b64_json);
    expect(await sharp(bytes).metadata()).toMatchObject({ width: 1536, height: 1024, format: 'png' });
    expect(bytes.equals(decode(b.data?.[0].b64_json))).toBe(true);
    expect(bytes.equals(decode(c.data?.[0].b64_json))).toBe(false);
    expect(a.usage).toMatchObject({ output_tokens: 408, input_tokens_details: { image_tokens: 0 } });
  });

  it('validates like edits', async () => {
    const error = (await caught(
      client.images.generate({ model: 'gpt-image-1', prompt: 'x', size: '1792x1024' as never }),
    )) as BadRequestError;
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error.code).toBe('invalid_value');
  });
});

describe('chat.completions', () => {
  const instructionFormat = {
    type: 'json_schema',
    json_schema: {
      name: 'edit_instruction',
      strict: true,
      schema: { type: 'object', properties: { instruction: { type: 'string' } }, required: ['instruction'], additionalProperties: false },
    },
  } as const;

  async function describePair(editPrompt: string, extraText = 'Describe the edit from the first image to the second.') {
    const edit = await client.images.edit({ model: 'gpt-image-1', image: await pngFile(source), prompt: editPrompt, size: '1024x1024' });
    const edited = decode(edit.data?.[0].b64_json);
    return client.chat.completions.create({
      model: 'gpt-4o',
      response_format: instructionFormat,
      messages: [
        { role: 'system', content: 'You write image-editing instructions.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: extraText },
            { type: 'image_url', image_url: { url: dataUrl(source) } },
            { type: 'image_url', image_url: { url: dataUrl(edited) } },
          ],
        },
      ],
    });
  }

  it('describes a greyscale edit and a flip from the pixels, as JSON matching the schema', async () => {
    const grey = await describePair('Make it black and white');
    expect(grey).toMatchObject({
      object: 'chat.completion',
      model: 'gpt-4o',
      choices: [{ index: 0, finish_reason: 'stop', logprobs: null }],
    });
    expect(grey.id).toMatch(/^chatcmpl-/);
    expect(grey.choices[0].message).toMatchObject({ role: 'assistant', refusal: null });
    expect(JSON.parse(grey.choices[0].message.content!)).toEqual({ instruction: 'Convert the image to black and white.' });
    expect(grey.usage!.total_tokens).toBe(grey.usage!.prompt_tokens + grey.usage!.completion_tokens);

    const flip = await describePair('Flip it');
    expect(JSON.parse(flip.choices[0].message.content!)).toEqual({ instruction: 'Flip the image horizontally.' });
  });

  it('answers other schemas with placeholder values and refuses a schema strict mode would refuse', async () => {
    const reply = await client.chat.completions.create({
      model: 'gpt-4.1-mini',
      messages: [{ role: 'user', content: 'Score this.' }],
      response_format: {
        type: 'json_schema',
        json_schema: {
          name: 'score',
          strict: true,
          schema: {
            type: 'object',
            properties: {
              score: { type: 'integer' },
              ok: { type: 'boolean' },
              tags: { type: 'array', items: { type: 'string' } },
              kind: { type: 'string', enum: ['a', 'b'] },
            },
            required: ['score', 'ok', 'tags', 'kind'],
            additionalProperties: false,
          },
        },
      },
    });
    expect(JSON.parse(reply.choices[0].message.content!)).toEqual({ score: 0, ok: false, tags: [], kind: 'a' });

    const error = (await caught(
      client.chat.completions.create({
        model: 'gpt-4o',
        messages: [{ role: 'user', content: 'x' }],
        response_format: {
          type: 'json_schema',
          json_schema: { name: 'loose', strict: true, schema: { type: 'object', properties: { a: { type: 'string' } } } },
        },
      }),
    )) as BadRequestError;
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error.message).toContain("'additionalProperties' is required to be supplied and to be false");
  });

  it('answers text that is not JSON for the __unparseable__ marker', async () => {
    const reply = await describePair('Make it black and white', 'Describe the edit. __unparseable__');
    expect(() => JSON.parse(reply.choices[0].message.content!)).toThrow();
  });

  it('refuses unknown models with 404 model_not_found and broken image data', async () => {
    const missing = (await caught(
      client.chat.completions.create({ model: 'gpt-9', messages: [{ role: 'user', content: 'hi' }] }),
    )) as NotFoundError;
    expect(missing).toBeInstanceOf(NotFoundError);
    expect(missing.code).toBe('model_not_found');

    const broken = (await caught(
      client.chat.completions.create({
        model: 'gpt-4o',
        messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/png;base64,bm90IGFuIGltYWdl' } }] }],
      }),
    )) as BadRequestError;
    expect(broken).toBeInstanceOf(BadRequestError);
    expect(broken.code).toBe('invalid_image_format');
  });
});

describe('protocol', () => {
  it('requires a bearer token and answers unknown URLs like the API', async () => {
    const noKey = await fetch(`${server.url}/chat/completions`, {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    expect(noKey.status).toBe(401);
    expect((await noKey.json()).error).toMatchObject({ type: 'invalid_request_error', param: null });

    const unknown = await fetch(`${server.url}/nope`, { headers: { authorization: 'Bearer x' } });
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error.message).toBe('Invalid URL (GET /v1/nope)');

    const emptyKey = await fetch(`${server.url}/models`, { headers: { authorization: 'Bearer ' } });
    expect(emptyKey.status).toBe(401);
  });
});

describe('faults', () => {
  it('answers queued faults in order, one per request', async () => {
    server.queueFaults({ status: 429, retryAfterSeconds: 3 }, { status: 500 }, { status: 400, code: 'moderation_blocked' });
    const chat = () => client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });

    const limited = (await caught(chat())) as RateLimitError;
    expect(limited).toBeInstanceOf(RateLimitError);
    expect(limited.headers?.get('retry-after')).toBe('3');
    expect(limited.error).toMatchObject({ type: 'requests', code: 'rate_limit_exceeded' });

    expect(await caught(chat())).toBeInstanceOf(InternalServerError);

    const blocked = (await caught(chat())) as BadRequestError;
    expect(blocked).toBeInstanceOf(BadRequestError);
    expect(blocked.error).toEqual({
      message: 'Your request was rejected by the safety system.',
      type: 'image_generation_user_error',
      param: null,
      code: 'moderation_blocked',
    });

    expect((await chat()).choices[0].message.content).toBeTruthy();
  });

  it('a slow answer trips the client timeout', async () => {
    server.queueFaults({ slowMs: 1000 });
    const error = await caught(
      client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }, { timeout: 200 }),
    );
    expect(error).toBeInstanceOf(APIConnectionTimeoutError);
  });

  it('a fault rate fails about that share of requests, the same ones every time', async () => {
    async function pattern() {
      const local = await startLocalOpenAI();
      try {
        local.setFaultRate(0.1, { status: 429, retryAfterSeconds: 1 });
        const sdk = new OpenAI({ apiKey: 'test', baseURL: local.url, maxRetries: 0 });
        const failed: number[] = [];
        for (let i = 0; i < 100; i++) {
          const error = await caught(sdk.models.list()).catch(() => undefined);
          if (error instanceof RateLimitError) failed.push(i);
        }
        return failed;
      } finally {
        await local.close();
      }
    }
    const first = await pattern();
    expect(first.length).toBeGreaterThanOrEqual(5);
    expect(first.length).toBeLessThanOrEqual(15);
    expect(await pattern()).toEqual(first);
  });

  it('latency overlaps across concurrent requests', async () => {
    const local = await startLocalOpenAI({ latencyMs: 200 });
    try {
      const sdk = new OpenAI({ apiKey: 'test', baseURL: local.url, maxRetries: 0 });
      const started = Date.now();
      await Promise.all(
        Array.from({ length: 10 }, () => sdk.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] })),
      );
      const elapsed = Date.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(200);
      expect(elapsed).toBeLessThan(1000);
    } finally {
      await local.close();
    }
  });

  it('can be driven over HTTP when it runs as its own process', async () => {
    const control = server.url.replace(/\/v1$/, '/__control');
    const set = await fetch(`${control}/faults`, { method: 'POST', body: JSON.stringify({ queue: [{ status: 500 }] }) });
    expect(await set.json()).toMatchObject({ queued: 1 });
    expect(await caught(client.models.list())).toBeInstanceOf(InternalServerError);

    const bad = await fetch(`${control}/faults`, { method: 'POST', body: JSON.stringify({ queue: [{ status: 418 }] }) });
    expect(bad.status).toBe(400);

    const log = await (await fetch(`${control}/requests`)).json();
    expect(log.requests.at(-1)).toMatchObject({ method: 'GET', path: '/v1/models' });
    expect(log.requests.some((r: { model?: string }) => r.model === 'gpt-4o')).toBe(true);
  });
});
