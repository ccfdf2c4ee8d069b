import { invalidRequest, invalidType, invalidValue, missingParameter, unknownParameter } from './errors';

/** Image models the Images API knows; everything else is refused like the API does. */
export const GPT_IMAGE_MODELS = ['gpt-image-1', 'gpt-image-1-mini', 'gpt-image-1.5'] as const;
export const IMAGE_MODELS = [...GPT_IMAGE_MODELS, 'dall-e-2'] as const;
export const GPT_IMAGE_SIZES = ['1024x1024', '1536x1024', '1024x1536'] as const;
export type GptImageSize = (typeof GPT_IMAGE_SIZES)[number];
const DALL_E_2_SIZES = ['256x256', '512x512', '1024x1024'] as const;
const GPT_QUALITIES = ['low', 'medium', 'high', 'auto'] as const;
const OUTPUT_FORMATS = ['png', 'jpeg', 'webp'] as const;
const BACKGROUNDS = ['transparent', 'opaque', 'auto'] as const;

const EDIT_PARAMS = new Set([
  'image',
  'image[]',
  'mask',
  'prompt',
  'model',
  'n',
  'size',
  'quality',
  'background',
  'input_fidelity',
  'output_format',
  'output_compression',
  'partial_images',
  'response_format',
  'stream',
  'user',
]);
const GENERATION_PARAMS = new Set([
  'prompt',
  'model',
  'n',
  'size',
  'quality',
  'background',
  'moderation',
  'output_format',
  'output_compression',
  'partial_images',
  'response_format',
  'stream',
  'user',
]);
// The API picks dall-e-2 when no model is given, unless one of these GPT-image-only parameters is set.
const GPT_IMAGE_ONLY = ['background', 'input_fidelity', 'moderation', 'output_format', 'output_compression', 'partial_images'];

export interface ImageRequest {
  model: string;
  gptImage: boolean;
  prompt: string;
  n: number;
  /** `auto` or WIDTHxHEIGHT. */
  size: string;
  quality: string;
  outputFormat: (typeof OUTPUT_FORMATS)[number];
  outputCompression: number;
  background: (typeof BACKGROUNDS)[number];
  inputFidelity: 'high' | 'low';
  /** dall-e-2 only; GPT image models always answer b64_json. */
  responseFormat: 'url' | 'b64_json';
}

type Fields = Record<string, unknown>;

function present(fields: Fields, name: string): boolean {
  return fields[name] !== undefined && fields[name] !== null;
}

function stringField(fields: Fields, name: string): string | undefined {
  const value = fields[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalidType(name, 'a string', value);
  return value;
}

/** Integers arrive as numbers in JSON and as decimal strings in multipart forms. */
function intField(fields: Fields, name: string): number | undefined {
  const value = fields[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) return Number(value.trim());
  throw invalidType(name, 'an integer', value);
}

function enumField<T extends string>(fields: Fields, name: string, allowed: readonly T[]): T | undefined {
  const value = stringField(fields, name);
  if (value === undefined) return undefined;
  if (!allowed.includes(value as T)) throw invalidValue(name, value, allowed);
  return value as T;
}

function intInRange(fields: Fields, name: string, min: number, max: number): number | undefined {
  const value = intField(fields, name);
  if (value === undefined) return undefined;
  if (value < min) {
    throw invalidRequest(
      `Invalid '${name}': integer below minimum value. Expected a value >= ${min}, but got ${value} instead.`,
      name,
      'integer_below_min_value',
    );
  }
  if (value > max) {
    throw invalidRequest(
      `Invalid '${name}': integer above maximum value. Expected a value <= ${max}, but got ${value} instead.`,
      name,
      'integer_above_max_value',
    );
  }
  return value;
}

/**
 * Validates the parameters of /v1/images/edits or /v1/images/generations (files excluded) in
 * the order the API reports problems: unknown parameters, model, then each value.
 */
export function validateImageParams(fields: Fields, endpoint: 'edits' | 'generations'): ImageRequest {
  const known = endpoint === 'edits' ? EDIT_PARAMS : GENERATION_PARAMS;
  for (const name of Object.keys(fields)) {
    if (!known.has(name)) throw unknownParameter(name);
  }

  const quality = stringField(fields, 'quality');
  const wantsGptImage = GPT_IMAGE_ONLY.some((name) => present(fields, name)) || ['low', 'medium', 'high'].includes(quality ?? '');
  const model = stringField(fields, 'model') ?? (wantsGptImage ? 'gpt-image-1' : 'dall-e-2');
  if (!(IMAGE_MODELS as readonly string[]).includes(model)) throw invalidValue('model', model, IMAGE_MODELS);
  const gptImage = model !== 'dall-e-2';

  if (fields.stream === true || fields.stream === 'true') {
    throw invalidRequest('Streaming is not supported by the local OpenAI-compatible server.', 'stream', 'unsupported_value');
  }

  const prompt = stringField(fields, 'prompt');
  if (prompt === undefined || prompt === '') throw missingParameter('prompt');
  const maxPrompt = gptImage ? 32000 : 1000;
  if (prompt.length > maxPrompt) {
    throw invalidRequest(
      `Invalid 'prompt': string too long. Expected a string with maximum length ${maxPrompt}, but got a string with length ${prompt.length} instead.`,
      'prompt',
      'string_above_max_length',
    );
  }
  const n = intInRange(fields, 'n', 1, 10) ?? 1;

  if (gptImage) {
    if (present(fields, 'response_format')) throw unknownParameter('response_format');
    const size = enumField(fields, 'size', [...GPT_IMAGE_SIZES, 'auto']) ?? 'auto';
    const q = enumField(fields, 'quality', GPT_QUALITIES) ?? 'auto';
    const outputFormat = enumField(fields, 'output_format', OUTPUT_FORMATS) ?? 'png';
    const background = enumField(fields, 'background', BACKGROUNDS) ?? 'auto';
    if (background === 'transparent' && outputFormat === 'jpeg') {
      throw invalidRequest(
        "Transparent background is not supported for output format 'jpeg'. Use 'png' or 'webp'.",
        'background',
        'invalid_value',
      );
    }
    const outputCompression = intInRange(fields, 'output_compression', 0, 100) ?? 100;
    const inputFidelity = enumField(fields, 'input_fidelity', ['high', 'low'] as const) ?? 'low';
    enumField(fields, 'moderation', ['low', 'auto'] as const);
    return {
      model,
      gptImage,
      prompt,
      n,
      size,
      quality: q,
      outputFormat,
      outputCompression,
      background,
      inputFidelity,
      responseFormat: 'b64_json',
    };
  }

  for (const name of GPT_IMAGE_ONLY) {
    if (present(fields, name)) {
      throw invalidRequest(
        `Invalid parameter: '${name}' is only supported for GPT image models, not 'dall-e-2'.`,
        name,
        'unsupported_parameter',
      );
    }
  }
  const size = enumField(fields, 'size', DALL_E_2_SIZES) ?? '1024x1024';
  const q = enumField(fields, 'quality', ['standard'] as const) ?? 'standard';
  const responseFormat = enumField(fields, 'response_format', ['url', 'b64_json'] as const) ?? 'url';
  return {
    model,
    gptImage,
    prompt,
    n,
    size,
    quality: q,
    outputFormat: 'png',
    outputCompression: 100,
    background: 'opaque',
    inputFidelity: 'low',
    responseFormat,
  };
}
