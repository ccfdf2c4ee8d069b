import { invalidRequest, invalidType, invalidValue, missingParameter, unknownParameter } from './errors';
import type { FileStore } from './files';

/**
 * POST /v1/images/edits with a JSON body (the API's `EditImageBodyJsonParam`, the shape a batch
 * line carries, since a JSONL line cannot hold a multipart upload):
 *   {"model": "gpt-image-1.5", "prompt": "...", "images": [{"image_url": "data:image/png;base64,..."} | {"file_id": "file-..."}],
 *    "mask"?: {"image_url" | "file_id"}, "n"?, "size"?, "quality"?, "input_fidelity"?, "output_format"?,
 *    "output_compression"?, "background"?, "moderation"?, "user"?}
 * JSON edits are for GPT image models only (dall-e-2 edits stay multipart); `model` defaults to
 * gpt-image-1.5. Sources: the API reference's createImageEdit, whose request body is
 * `application/json: EditImageBodyJsonParam` or `multipart/form-data: CreateImageEditRequest`
 * (https://platform.openai.com/docs/api-reference/images/createEdit, schema
 * /docs/api-reference/images/schemas#edit-image-body-json-param, from openai/openai-openapi).
 * It becomes the multipart form the sync route reads, so both paths validate and answer alike.
 */
const JSON_EDIT_PARAMS = new Set([
  'images',
  'mask',
  'prompt',
  'model',
  'n',
  'size',
  'quality',
  'background',
  'input_fidelity',
  'moderation',
  'output_format',
  'output_compression',
  'partial_images',
  'stream',
  'user',
]);
const DEFAULT_JSON_EDIT_MODEL = 'gpt-image-1.5';
const DATA_URL = /^data:([^;,]*)(;[^,]*)?,(.*)$/s;

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The MIME type of image bytes from their signature, for files referenced by id (the store keeps no type). */
function sniffMime(bytes: Buffer): string {
  if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (bytes.subarray(0, 4).toString('latin1') === 'RIFF' && bytes.subarray(8, 12).toString('latin1') === 'WEBP') return 'image/webp';
  return 'application/octet-stream';
}

function imageRef(ref: unknown, param: string, files: FileStore): File {
  if (!isObject(ref)) throw invalidType(param, 'an object', ref);
  for (const key of Object.keys(ref)) {
    if (key !== 'image_url' && key !== 'file_id') throw unknownParameter(`${param}.${key}`);
  }
  const { image_url: url, file_id: fileId } = ref;
  if ((url === undefined) === (fileId === undefined)) {
    throw invalidRequest(`Invalid '${param}': provide exactly one of 'image_url' or 'file_id'.`, param, 'invalid_value');
  }
  if (fileId !== undefined) {
    if (typeof fileId !== 'string') throw invalidType(`${param}.file_id`, 'a string', fileId);
    const bytes = files.get(fileId).content;
    return new File([new Uint8Array(bytes)], fileId, { type: sniffMime(bytes) });
  }
  if (typeof url !== 'string') throw invalidType(`${param}.image_url`, 'a string', url);
  if (/^https?:\/\//i.test(url)) {
    throw invalidRequest(
      `Error while downloading ${url}. The local OpenAI-compatible server has no network access: send images as base64 data URLs.`,
      `${param}.image_url`,
      'invalid_image_url',
    );
  }
  const match = DATA_URL.exec(url);
  if (!match || match[2] !== ';base64') {
    throw invalidRequest(
      `Invalid '${param}.image_url'. Expected a base64-encoded data URL with an image MIME type (e.g. 'data:image/png;base64,aW1nIGJ5dGVzIGhlcmU=').`,
      `${param}.image_url`,
      'invalid_value',
    );
  }
  const bytes = Buffer.from(match[3], 'base64');
  return new File([new Uint8Array(bytes)], `${param}.${match[1].split('/')[1] ?? 'bin'}`, { type: match[1] });
}

/** Turns a JSON edit request into the multipart form `imageEdit` reads, refusing what the API refuses. */
export function editFormFromJson(body: Json, files: FileStore): FormData {
  for (const name of Object.keys(body)) {
    if (!JSON_EDIT_PARAMS.has(name)) throw unknownParameter(name);
  }
  const model = body.model ?? DEFAULT_JSON_EDIT_MODEL;
  if (typeof model !== 'string') throw invalidType('model', 'a string', model);
  if (model === 'dall-e-2') {
    throw invalidRequest(
      "JSON image edits support GPT image models only; send 'dall-e-2' edits as multipart/form-data.",
      'model',
      'invalid_value',
    );
  }
  const { images, mask, moderation } = body;
  if (images === undefined || images === null) throw missingParameter('images');
  if (!Array.isArray(images)) throw invalidType('images', 'an array', images);
  if (images.length === 0) {
    throw invalidRequest(
      "Invalid 'images': empty array. Expected an array with minimum length 1, but got an empty array instead.",
      'images',
      'empty_array',
    );
  }
  // The multipart path has no `moderation` for edits; check it here and leave it out of the form.
  if (moderation !== undefined && moderation !== null && moderation !== 'low' && moderation !== 'auto') {
    throw invalidValue('moderation', moderation, ['low', 'auto']);
  }

  const form = new FormData();
  form.append('model', model);
  for (const [name, value] of Object.entries(body)) {
    if (['images', 'mask', 'model', 'moderation'].includes(name) || value === undefined || value === null) continue;
    if (typeof value === 'object') throw invalidType(name, 'a string or number', value);
    form.append(name, String(value));
  }
  images.forEach((ref, index) => form.append('image[]', imageRef(ref, `images[${index}]`, files)));
  if (mask !== undefined && mask !== null) form.append('mask', imageRef(mask, 'mask', files));
  return form;
}
