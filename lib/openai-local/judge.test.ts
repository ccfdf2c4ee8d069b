import OpenAI, { toFile } from 'openai';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalOpenAI, type LocalOpenAI } from './server';
import { judgeEdit } from './judge';

let server: LocalOpenAI;
let client: OpenAI;
let source: Buffer;

beforeAll(async () => {
  server = await startLocalOpenAI();
  client = new OpenAI({ apiKey: 'test', baseURL: server.url, maxRetries: 0 });
  source = await sharp(
    Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="512" height="384">
      <rect width="512" height="384" fill="#c04030"/><circle cx="150" cy="190" r="100" fill="#30a050"/>
      <rect x="320" y="40" width="150" height="110" fill="#f0d030"/></svg>`),
  )
    .png()
    .toBuffer();
});
afterAll(() => server.close());

const score = { type: 'integer', minimum: 0, maximum: 10 };
const judgeFormat = {
  type: 'json_schema',
  json_schema: {
    name: 'edit_judgement',
    strict: true,
    schema: {
      type: 'object',
      properties: { editing_success: score, over_editing: score, naturalness: score, artifacts: score, reasoning: { type: 'string' } },
      required: ['editing_success', 'over_editing', 'naturalness', 'artifacts', 'reasoning'],
      additionalProperties: false,
    },
  },
} as const;
const url = (png: Buffer) => `data:image/png;base64,${png.toString('base64')}`;
const ask = (edited: Buffer, images = [source, edited]) =>
  client.chat.completions.create({
    model: 'gpt-4o',
    response_format: judgeFormat,
    messages: [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Instruction: make it darker. Score the edit.' },
          ...images.map((image) => ({ type: 'image_url' as const, image_url: { url: url(image) } })),
        ],
      },
    ],
  });

describe('the judge schema', () => {
  it('is answered from the two images, in the schema order, the same every time', async () => {
    const darker = await sharp(source).modulate({ brightness: 0.6 }).png().toBuffer();
    const reply = await ask(darker);
    const content = reply.choices[0].message.content!;
    const answer = JSON.parse(content);
    expect(Object.keys(answer)).toEqual(['editing_success', 'over_editing', 'naturalness', 'artifacts', 'reasoning']);
    expect(answer).toEqual(await judgeEdit(source, darker));
    expect(answer.editing_success).toBe(10);
    expect(answer.reasoning).toMatch(/^Simulated from pixels: the edit looks like "Make the image darker"/);
    expect((await ask(darker)).choices[0].message.content).toBe(content);
    expect(reply.usage!.completion_tokens).toBe(Math.ceil(content.length / 4));
  });

  it('scores by pixel statistics: no change, a small blur, an inversion', async () => {
    expect(await judgeEdit(source, source)).toMatchObject({ editing_success: 0, over_editing: 10, naturalness: 10, artifacts: 10 });
    expect((await judgeEdit(source, source)).reasoning).toContain('looks the same as the source');
    const inverted = await judgeEdit(source, await sharp(source).negate().png().toBuffer());
    expect(inverted).toMatchObject({ editing_success: 10 });
    expect(inverted.over_editing).toBeLessThanOrEqual(2);
    const blurred = await judgeEdit(source, await sharp(source).blur(2).png().toBuffer());
    expect(blurred.editing_success).toBeLessThan(5);
  });

  it('without a pair of images, answers zero scores rather than failing', async () => {
    const reply = await ask(source, [source]);
    expect(JSON.parse(reply.choices[0].message.content!)).toMatchObject({
      editing_success: 0,
      artifacts: 0,
      reasoning: expect.stringMatching(/no source and edited image pair/),
    });
  });
});

describe('the unparseable fault', () => {
  it('answers 200 with JSON that breaks the schema, queued like the other faults', async () => {
    server.queueFaults({ unparseable: true }, { status: 500 });
    const reply = await ask(source);
    expect(reply.choices[0].message.content).toBe('{"editing_success":"very good"}');
    expect(reply.usage!.prompt_tokens).toBeGreaterThan(2 * 255);
    await expect(ask(source)).rejects.toMatchObject({ status: 500 });
    expect(JSON.parse((await ask(source)).choices[0].message.content!).editing_success).toBe(0);
  });

  it('gives other schemas, json_object and text replies their own unusable answer', async () => {
    const other = async (response_format?: OpenAI.Chat.ChatCompletionCreateParams['response_format']) => {
      server.queueFaults({ unparseable: true });
      const reply = await client.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'Reply in JSON.' }],
        response_format,
      });
      return reply.choices[0].message.content!;
    };
    const instruction = {
      type: 'json_schema',
      json_schema: {
        name: 'edit_instruction',
        strict: true,
        schema: { type: 'object', properties: { instruction: { type: 'string' } }, required: ['instruction'], additionalProperties: false },
      },
    } as const;
    // A schema of strings only: its first property gets the string (the client's own checks must catch it).
    expect(await other(instruction)).toBe('{"instruction":"very good"}');
    const cutShort = await other({ type: 'json_object' });
    expect(() => JSON.parse(cutShort)).toThrow();
    const text = await other();
    expect(() => JSON.parse(text)).toThrow();
  });

  it('makes an images answer carry data that is not an image', async () => {
    server.queueFaults({ unparseable: true });
    const edit = await client.images.edit({
      model: 'gpt-image-1',
      image: await toFile(source, 'source.png', { type: 'image/png' }),
      prompt: 'darker',
    });
    const bytes = Buffer.from(edit.data![0].b64_json!, 'base64');
    await expect(sharp(bytes).metadata()).rejects.toThrow();
    expect(edit.usage?.output_tokens).toBeGreaterThan(0);
  });

  it('can be set as a rate and over HTTP', async () => {
    const local = await startLocalOpenAI();
    try {
      const sdk = new OpenAI({ apiKey: 'test', baseURL: local.url, maxRetries: 0 });
      local.setFaultRate(1, { unparseable: true });
      const hi = () =>
        sdk.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], response_format: judgeFormat });
      expect((await hi()).choices[0].message.content).toBe('{"editing_success":"very good"}');
      local.setFaultRate(0, { unparseable: true });

      const control = local.url.replace(/\/v1$/, '/__control');
      const set = await fetch(`${control}/faults`, { method: 'POST', body: JSON.stringify({ queue: [{ unparseable: true }] }) });
      expect(await set.json()).toMatchObject({ queued: 1 });
      expect((await hi()).choices[0].message.content).toBe('{"editing_success":"very good"}');
      expect(JSON.parse((await hi()).choices[0].message.content!)).toHaveProperty('reasoning');
      const rate = await fetch(`${control}/faults`, {
        method: 'POST',
        body: JSON.stringify({ rate: { rate: 0.5, fault: { unparseable: true } } }),
      });
      expect(rate.status).toBe(200);
      const bad = await fetch(`${control}/faults`, { method: 'POST', body: JSON.stringify({ queue: [{ unparseable: false }] }) });
      expect(bad.status).toBe(400);
    } finally {
      await local.close();
    }
  });
});
