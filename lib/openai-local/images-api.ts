import sharp from 'sharp';
import { invalidRequest, invalidType, missingParameter, quoteList } from './errors';
import { editImage, generateImage, inputImageTokens, nearestSize, outputTokens, sizeOf, textTokens } from './images';
import { validateImageParams, type GptImageSize, type ImageRequest } from './validation';

const GPT_IMAGE_MIMES = ['image/jpeg', 'image/png', 'image/webp'];
const MB = 1024 * 1024;

interface Upload {
  /** How the API names the part in messages: `image`, `image[0]`, `mask`. */
  param: string;
  file: File;
}

/** Splits a parsed multipart form into plain fields and uploaded files. */
function splitForm(form: FormData): { fields: Record<string, unknown>; images: Upload[]; mask?: Upload } {
  const fields: Record<string, unknown> = {};
  const images: Upload[] = [];
  let mask: Upload | undefined;
  for (const [key, value] of form) {
    const isFilePart = key === 'image' || key === 'image[]' || key === 'mask';
    if (isFilePart && typeof value === 'string') throw invalidType(key, 'a file', value);
    if (!isFilePart && typeof value !== 'string') throw invalidType(key, 'a string', {});
    if (key === 'mask') mask = { param: 'mask', file: value as File };
    else if (isFilePart) images.push({ param: key === 'image' ? 'image' : `image[${images.length}]`, file: value as File });
    fields[key] = isFilePart ? true : value;
  }
  return { fields, images, mask };
}

async function checkUpload(upload: Upload, request: ImageRequest, index: number) {
  const { param, file } = upload;
  const mimes = request.gptImage && param !== 'mask' ? GPT_IMAGE_MIMES : ['image/png'];
  if (!mimes.includes(file.type)) {
    throw invalidRequest(
      `Invalid file '${param}': unsupported mimetype ('${file.type}'). Supported file formats are ${quoteList(mimes)}.`,
      param,
      'unsupported_file_mimetype',
    );
  }
  const maxMb = request.gptImage ? 50 : 4;
  if (file.size >= maxMb * MB) {
    throw invalidRequest(
      `Invalid file '${param}': the file is ${file.size} bytes; it must be less than ${maxMb} MB.`,
      param,
      'file_too_large',
    );
  }
  const bytes = Buffer.from(await file.arrayBuffer());
  const meta = await sharp(bytes)
    .metadata()
    .catch(() => null);
  if (!meta?.width || !meta.height) {
    throw invalidRequest(`Invalid image file or mode for image ${index + 1}, please check your image file.`, param, 'invalid_image_file');
  }
  if (!request.gptImage && param !== 'mask') {
    if (meta.width !== meta.height) throw invalidRequest('Invalid input image - image must be square.', param, 'invalid_image');
    if (!meta.hasAlpha) {
      // dall-e-2's best-known refusal: it edits where the image is transparent, so it needs an alpha channel.
      throw invalidRequest("Invalid input image - format must be in ['RGBA', 'LA', 'L'], got RGB.", param, 'invalid_image_format');
    }
  }
  return { bytes, width: meta.width, height: meta.height };
}

type ResolvedQuality = 'low' | 'medium' | 'high';

function resolvedQuality(request: ImageRequest): ResolvedQuality {
  return request.quality === 'low' || request.quality === 'medium' ? request.quality : 'high';
}

function imagesResponse(request: ImageRequest, images: Buffer[], size: string, inputTextTokens: number, inputImageTokensTotal: number) {
  const created = Math.floor(Date.now() / 1000);
  if (!request.gptImage) {
    // dall-e-2 answers a URL by default; the local server has nowhere to host it, so it is a data URL.
    const data = images.map((image) =>
      request.responseFormat === 'url'
        ? { url: `data:image/png;base64,${image.toString('base64')}` }
        : { b64_json: image.toString('base64') },
    );
    return { created, data };
  }
  const quality = resolvedQuality(request);
  const output = outputTokens(quality, size as GptImageSize) * images.length;
  const input = inputTextTokens + inputImageTokensTotal;
  return {
    created,
    background: 'opaque',
    data: images.map((image) => ({ b64_json: image.toString('base64') })),
    output_format: request.outputFormat,
    quality,
    size,
    usage: {
      input_tokens: input,
      input_tokens_details: { text_tokens: inputTextTokens, image_tokens: inputImageTokensTotal },
      output_tokens: output,
      total_tokens: input + output,
    },
  };
}

/** POST /v1/images/edits: validates like the API, then edits the first image as the prompt says. */
export async function imageEdit(form: FormData) {
  const { fields, images, mask } = splitForm(form);
  const request = validateImageParams(fields, 'edits');
  if (images.length === 0) throw missingParameter('image');
  const maxImages = request.gptImage ? 16 : 1;
  if (images.length > maxImages) {
    throw invalidRequest(
      `Invalid 'image': array too long. Expected an array with maximum length ${maxImages}, but got an array with length ${images.length} instead.`,
      'image',
      'array_above_max_length',
    );
  }
  const inputs = [];
  for (const [index, upload] of images.entries()) inputs.push(await checkUpload(upload, request, index));
  if (mask) await checkUpload(mask, request, images.length);

  const first = inputs[0];
  const size = request.size === 'auto' ? nearestSize(first.width, first.height) : request.size;
  const { width, height } = sizeOf(size);
  const edited = await editImage(first.bytes, request.prompt, width, height, {
    format: request.outputFormat,
    compression: request.outputCompression,
  });
  const imageTokens = inputs.reduce((sum, input) => sum + inputImageTokens(request.inputFidelity, input.width, input.height), 0);
  return imagesResponse(request, Array(request.n).fill(edited), size, textTokens(request.prompt), imageTokens);
}

/** POST /v1/images/generations: a synthetic picture per requested image, derived from the prompt. */
export async function imageGeneration(body: Record<string, unknown>) {
  const request = validateImageParams(body, 'generations');
  const size = request.size === 'auto' ? '1024x1024' : request.size;
  const { width, height } = sizeOf(size);
  const output = { format: request.outputFormat, compression: request.outputCompression };
  const images = await Promise.all(
    Array.from({ length: request.n }, (_, index) => generateImage(request.prompt, index, width, height, output)),
  );
  return imagesResponse(request, images, size, textTokens(request.prompt), 0);
}

/** The `unparseable` fault on an images route: the answer keeps its shape, but its image data decodes to no image. */
export function unusableImages<T extends { data: ({ b64_json: string } | { url: string })[] }>(response: T, unparseable = false): T {
  if (!unparseable) return response;
  const junk = Buffer.from('this is not an image').toString('base64');
  return {
    ...response,
    data: response.data.map((entry) => ('url' in entry ? { url: `data:image/png;base64,${junk}` } : { b64_json: junk })),
  };
}
