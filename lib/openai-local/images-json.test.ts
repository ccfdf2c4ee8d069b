import OpenAI, { toFile } from 'openai';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalOpenAI, type LocalOpenAI } from './server';

let server: LocalOpenAI;
let client: OpenAI;
let source: Buffer;

beforeAll(async () => {
  server = await startLocalOpenAI();
  client = new OpenAI({ apiKey: 'test', baseURL: server.url, maxRetries: 0 });
  source = await sharp({ create: { width: 120, height: 80, channels: 3, background: '#c04020' } })
    .png()
    .toBuffer();
});

afterAll(async () => {
  await server.close();
});

const dataUrl = (bytes: Buffer) => `data:image/png;base64,${bytes.toString('base64')}`;

/** POST /v1/images/edits with a JSON body, as a batch line carries it (the SDK only sends multipart). */
async function jsonEdit(body: Record<string, unknown>) {
  const response = await fetch(`${server.url}/images/edits`, {
    method: 'POST',
    headers: { authorization: 'Bearer test', 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: await response.json() };
}

describe('POST /v1/images/edits with a JSON body (EditImageBodyJsonParam)', () => {
  it('answers exactly as the multipart edit does', async () => {
    const { status, json } = await jsonEdit({
      model: 'gpt-image-1',
      prompt: 'invert it',
      images: [{ image_url: dataUrl(source) }],
      quality: 'low',
    });
    expect(status).toBe(200);
    const multipart = await client.images.edit({
      model: 'gpt-image-1',
      prompt: 'invert it',
      image: await toFile(source, 'source.png', { type: 'image/png' }),
      quality: 'low',
    });
    expect(json.data[0].b64_json).toBe(multipart.data![0].b64_json);
    expect(json.usage).toEqual(multipart.usage);
    expect(json.size).toBe('1536x1024');
  });

  it('reads images by file_id and a mask', async () => {
    const file = await client.files.create({ file: await toFile(source, 'source.png'), purpose: 'batch' });
    const { status, json } = await jsonEdit({
      prompt: 'make it darker',
      images: [{ file_id: file.id }],
      mask: { image_url: dataUrl(source) },
    });
    expect(status).toBe(200);
    const meta = await sharp(Buffer.from(json.data[0].b64_json, 'base64')).metadata();
    expect([meta.width, meta.height]).toEqual([1536, 1024]);
  });

  const refusals: [string, Record<string, unknown>, number, Record<string, unknown>][] = [
    ['no images', { prompt: 'x' }, 400, { param: 'images', code: 'missing_required_parameter' }],
    ['images not an array', { prompt: 'x', images: { image_url: 'data:' } }, 400, { param: 'images', code: 'invalid_type' }],
    ['an empty images array', { prompt: 'x', images: [] }, 400, { param: 'images', code: 'empty_array' }],
    ['the multipart name image', { prompt: 'x', image: 'data:' }, 400, { param: 'image', code: 'unknown_parameter' }],
    ['dall-e-2', { model: 'dall-e-2', prompt: 'x', images: [{ image_url: 'data:' }] }, 400, { param: 'model', code: 'invalid_value' }],
    ['both image_url and file_id', { prompt: 'x', images: [{ image_url: 'data:', file_id: 'file-1' }] }, 400, { param: 'images[0]' }],
    ['an unknown file', { prompt: 'x', images: [{ file_id: 'file-nope' }] }, 404, {}],
    ['a web URL', { prompt: 'x', images: [{ image_url: 'http://example.com/a.png' }] }, 400, { code: 'invalid_image_url' }],
    [
      'a data URL that is not base64',
      { prompt: 'x', images: [{ image_url: 'data:image/png,abc' }] },
      400,
      { param: 'images[0].image_url' },
    ],
    [
      'bytes that are no image',
      { prompt: 'x', images: [{ image_url: 'data:image/png;base64,aGVsbG8=' }] },
      400,
      { code: 'invalid_image_file' },
    ],
    ['an unknown moderation', { prompt: 'x', images: [{ image_url: 'data:' }], moderation: 'none' }, 400, { param: 'moderation' }],
    ['no prompt', { images: [{ image_url: dataUrl(Buffer.from('x')) }] }, 400, { param: 'prompt', code: 'missing_required_parameter' }],
  ];
  for (const [name, body, status, error] of refusals) {
    it(`refuses ${name}`, async () => {
      const answer = await jsonEdit(body);
      expect(answer.status).toBe(status);
      expect(answer.json.error).toMatchObject(error);
      expect(answer.json.error.message).toBeTruthy();
    });
  }
});
