import sharp from 'sharp';
import { describeEdit } from './analysis';
import { ApiError, invalidRequest, invalidType, invalidValue, missingParameter } from './errors';
import { textTokens } from './images';
import { isJudgeSchema, judgeEdit } from './judge';

export const CHAT_MODELS = ['gpt-4o', 'gpt-4o-mini', 'gpt-4.1', 'gpt-4.1-mini', 'gpt-5'];
const ROLES = ['system', 'assistant', 'user', 'function', 'tool', 'developer'];
const IMAGE_MIMES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'];
/** Any text part containing this gets a reply that is not JSON, for clients that must reject such replies. */
export const UNPARSEABLE_MARKER = '__unparseable__';

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

interface Conversation {
  texts: string[];
  images: Buffer[];
  promptTokens: number;
}

/** gpt-4o's vision pricing: 85 tokens, plus 170 per 512px tile after scaling (high or auto detail). */
function imageTokens(width: number, height: number, detail: unknown): number {
  if (detail === 'low') return 85;
  let scale = Math.min(1, 2048 / Math.max(width, height));
  scale *= Math.min(1, 768 / Math.min(width * scale, height * scale));
  return 85 + 170 * Math.ceil((width * scale) / 512) * Math.ceil((height * scale) / 512);
}

async function decodeImageUrl(url: unknown, param: string): Promise<{ bytes: Buffer; width: number; height: number }> {
  if (typeof url !== 'string') throw invalidType(param, 'a string', url);
  if (/^https?:\/\//i.test(url)) {
    throw invalidRequest(
      `Error while downloading ${url}. The local OpenAI-compatible server has no network access: send images as base64 data URLs.`,
      param,
      'invalid_image_url',
    );
  }
  const match = /^data:([^;,]*)(;[^,]*)?,(.*)$/s.exec(url);
  const example = "Expected a base64-encoded data URL with an image MIME type (e.g. 'data:image/png;base64,aW1nIGJ5dGVzIGhlcmU=')";
  if (!match) throw invalidRequest(`Invalid '${param}'. ${example}, but got a value without the 'data:' prefix.`, param, 'invalid_value');
  if (!IMAGE_MIMES.includes(match[1])) {
    throw invalidRequest(`Invalid '${param}'. ${example}, but got unsupported MIME type '${match[1]}'.`, param, 'invalid_value');
  }
  const bytes = Buffer.from(match[3], 'base64');
  const meta = await sharp(bytes)
    .metadata()
    .catch(() => null);
  if (!meta?.width || !meta.height) {
    throw invalidRequest(
      "You uploaded an unsupported image. Please make sure your image has of one the following formats: ['png', 'jpeg', 'gif', 'webp'].",
      null,
      'invalid_image_format',
    );
  }
  return { bytes, width: meta.width, height: meta.height };
}

async function readMessages(messages: unknown): Promise<Conversation> {
  if (messages === undefined || messages === null) throw missingParameter('messages');
  if (!Array.isArray(messages)) throw invalidType('messages', 'an array', messages);
  if (messages.length === 0) {
    throw invalidRequest(
      "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.",
      'messages',
      'empty_array',
    );
  }
  const conversation: Conversation = { texts: [], images: [], promptTokens: 3 };
  for (const [i, message] of messages.entries()) {
    if (!isObject(message)) throw invalidType(`messages[${i}]`, 'an object', message);
    if (!ROLES.includes(message.role as string)) throw invalidValue(`messages[${i}].role`, message.role, ROLES);
    conversation.promptTokens += 4;
    const { content } = message;
    if (content === undefined || content === null) continue;
    if (typeof content === 'string') {
      conversation.texts.push(content);
      conversation.promptTokens += textTokens(content);
      continue;
    }
    if (!Array.isArray(content)) throw invalidType(`messages[${i}].content`, 'a string or an array', content);
    for (const [j, part] of content.entries()) {
      const param = `messages[${i}].content[${j}]`;
      if (!isObject(part)) throw invalidType(param, 'an object', part);
      if (part.type === 'text') {
        if (typeof part.text !== 'string') throw invalidType(`${param}.text`, 'a string', part.text);
        conversation.texts.push(part.text);
        conversation.promptTokens += textTokens(part.text);
      } else if (part.type === 'image_url') {
        if (message.role !== 'user') {
          throw invalidRequest(
            `Image URLs are only allowed for messages with role 'user', but this message with role '${message.role}' contains an image URL.`,
            `messages[${i}]`,
            'invalid_value',
          );
        }
        if (!isObject(part.image_url)) throw missingParameter(`${param}.image_url`);
        const image = await decodeImageUrl(part.image_url.url, `${param}.image_url.url`);
        conversation.images.push(image.bytes);
        conversation.promptTokens += imageTokens(image.width, image.height, part.image_url.detail);
      } else {
        throw invalidValue(`${param}.type`, part.type, ['text', 'image_url']);
      }
    }
  }
  return conversation;
}

type ResponseFormat = { kind: 'text' } | { kind: 'json_object' } | { kind: 'json_schema'; schema: Json };

/** Mirrors the checks the API makes on strict schemas, so a schema accepted here is accepted there. */
function checkStrictSchema(schema: unknown, name: string, context: string[] = []) {
  if (!isObject(schema)) return;
  const fail = (what: string) => {
    throw invalidRequest(
      `Invalid schema for response_format '${name}': In context=(${context.map((c) => `'${c}'`).join(', ')}), ${what}`,
      'response_format',
    );
  };
  if (context.length === 0 && schema.type !== 'object') {
    throw invalidRequest(
      `Invalid schema for response_format '${name}': schema must be a JSON Schema of 'type: "object"', got 'type: "${String(schema.type)}"'.`,
      'response_format',
    );
  }
  if (isObject(schema.properties)) {
    if (schema.additionalProperties !== false) fail("'additionalProperties' is required to be supplied and to be false.");
    const required = Array.isArray(schema.required) ? schema.required : [];
    const missing = Object.keys(schema.properties).find((key) => !required.includes(key));
    if (missing !== undefined) {
      fail(`'required' is required to be supplied and to be an array including every key in properties. Missing '${missing}'.`);
    }
    for (const [key, child] of Object.entries(schema.properties)) checkStrictSchema(child, name, [...context, 'properties', key]);
  }
  if (schema.items !== undefined) checkStrictSchema(schema.items, name, [...context, 'items']);
  for (const keyword of ['anyOf', '$defs', 'definitions'] as const) {
    const children = schema[keyword];
    if (isObject(children) || Array.isArray(children)) {
      for (const [key, child] of Object.entries(children)) checkStrictSchema(child, name, [...context, keyword, key]);
    }
  }
}

function readResponseFormat(format: unknown, texts: string[]): ResponseFormat {
  if (format === undefined || format === null) return { kind: 'text' };
  if (!isObject(format)) throw invalidType('response_format', 'an object', format);
  if (format.type === 'text') return { kind: 'text' };
  if (format.type === 'json_object') {
    if (!texts.some((text) => /json/i.test(text))) {
      throw invalidRequest(
        "'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.",
        'messages',
      );
    }
    return { kind: 'json_object' };
  }
  if (format.type !== 'json_schema') throw invalidValue('response_format.type', format.type, ['text', 'json_object', 'json_schema']);
  const spec = format.json_schema;
  if (!isObject(spec)) throw missingParameter('response_format.json_schema');
  if (typeof spec.name !== 'string') throw missingParameter('response_format.json_schema.name');
  if (!/^[a-zA-Z0-9_-]{1,64}$/.test(spec.name)) {
    throw invalidRequest(
      "Invalid 'response_format.json_schema.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.",
      'response_format.json_schema.name',
      'invalid_value',
    );
  }
  const schema = isObject(spec.schema) ? spec.schema : {};
  if (spec.strict === true) checkStrictSchema(schema, spec.name);
  return { kind: 'json_schema', schema };
}

function resolveRef(root: Json, ref: string): unknown {
  return ref
    .replace(/^#\/?/, '')
    .split('/')
    .filter(Boolean)
    .reduce<unknown>((node, key) => (isObject(node) ? node[key] : undefined), root);
}

/** A value that satisfies a (structured-outputs) JSON schema: "", 0, false, [] and so on. */
export function placeholderFor(schema: unknown, root: Json, depth = 0): unknown {
  if (!isObject(schema) || depth > 32) return null;
  if (typeof schema.$ref === 'string') return placeholderFor(resolveRef(root, schema.$ref), root, depth + 1);
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum)) return schema.enum[0];
  const variants = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(variants)) return placeholderFor(variants[0], root, depth + 1);
  const type = Array.isArray(schema.type)
    ? (schema.type.find((t) => t !== 'null') ?? 'null')
    : (schema.type ?? (schema.properties ? 'object' : null));
  switch (type) {
    case 'object':
      return Object.fromEntries(
        Object.entries(isObject(schema.properties) ? schema.properties : {}).map(([key, child]) => [
          key,
          placeholderFor(child, root, depth + 1),
        ]),
      );
    case 'array':
      return Array.from({ length: typeof schema.minItems === 'number' ? schema.minItems : 0 }, () =>
        placeholderFor(schema.items, root, depth + 1),
      );
    case 'string':
      return '';
    case 'number':
    case 'integer':
      return typeof schema.minimum === 'number' ? schema.minimum : 0;
    case 'boolean':
      return false;
    default:
      return null;
  }
}

function acceptsString(schema: unknown): boolean {
  if (!isObject(schema)) return false;
  return schema.type === 'string' || (Array.isArray(schema.type) && schema.type.includes('string'));
}

const NOT_JSON = 'Sure! The edited picture looks different from the source (this reply is deliberately not JSON).';

/**
 * The `unparseable` fault's reply: valid JSON that breaks the schema (its first non-string
 * property, or its first, gets a string: `{"editing_success": "very good"}`); for
 * json_object, JSON cut short; for text, the not-JSON sentence.
 */
function unparseableContent(format: ResponseFormat): string {
  if (format.kind === 'json_object') return '{"instruction": "very go';
  if (format.kind === 'text') return NOT_JSON;
  const properties = isObject(format.schema.properties) ? format.schema.properties : {};
  const keys = Object.keys(properties);
  const key = keys.find((k) => !acceptsString(properties[k])) ?? keys[0] ?? 'answer';
  return JSON.stringify({ [key]: 'very good' });
}

async function replyContent(conversation: Conversation, format: ResponseFormat): Promise<string> {
  if (conversation.texts.some((text) => text.includes(UNPARSEABLE_MARKER))) return NOT_JSON;
  // The VLM judge's schema: scores from the two images' pixels, in the schema's property order.
  if (format.kind === 'json_schema' && isJudgeSchema(format.schema)) {
    const value = placeholderFor(format.schema, format.schema) as Json;
    if (conversation.images.length !== 2)
      return JSON.stringify({ ...value, reasoning: 'There is no source and edited image pair to judge.' });
    return JSON.stringify(Object.assign(value, await judgeEdit(conversation.images[0], conversation.images[1])));
  }
  // Two images are read as (source, edited): the reply describes the edit, as a captioning model would.
  const instruction = conversation.images.length === 2 ? await describeEdit(conversation.images[0], conversation.images[1]) : undefined;
  if (format.kind === 'json_schema') {
    const value = placeholderFor(format.schema, format.schema);
    const properties = format.schema.properties;
    if (instruction && isObject(value) && isObject(properties) && acceptsString(properties.instruction)) value.instruction = instruction;
    return JSON.stringify(value);
  }
  if (format.kind === 'json_object') return JSON.stringify(instruction ? { instruction } : {});
  return instruction ?? 'This is a reply from the local OpenAI-compatible test server.';
}

/** POST /v1/chat/completions, answered in the API's chat.completion shape. */
export async function chatCompletion(body: Json, id: string, options: { unparseable?: boolean } = {}) {
  const { model } = body;
  if (model === undefined || model === null || model === '') throw invalidRequest('you must provide a model parameter');
  if (typeof model !== 'string') throw invalidType('model', 'a string', model);
  if (!CHAT_MODELS.includes(model)) {
    throw new ApiError(
      404,
      `The model \`${model}\` does not exist or you do not have access to it.`,
      'invalid_request_error',
      null,
      'model_not_found',
    );
  }
  if (body.stream === true) {
    throw invalidRequest('Streaming is not supported by the local OpenAI-compatible server.', 'stream', 'unsupported_value');
  }
  const conversation = await readMessages(body.messages);
  const format = readResponseFormat(body.response_format, conversation.texts);
  const content = options.unparseable ? unparseableContent(format) : await replyContent(conversation, format);
  const completionTokens = textTokens(content);
  return {
    id: `chatcmpl-${id}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, message: { role: 'assistant', content, refusal: null, annotations: [] }, logprobs: null, finish_reason: 'stop' }],
    usage: {
      prompt_tokens: conversation.promptTokens,
      completion_tokens: completionTokens,
      total_tokens: conversation.promptTokens + completionTokens,
      prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
    },
    service_tier: 'default',
    system_fingerprint: 'fp_local',
  };
}
