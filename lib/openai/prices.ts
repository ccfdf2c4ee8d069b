/**
 * USD prices used for estimates before a job and costs after it (from the API's usage).
 * Per 1M tokens, as OpenAI lists them; edit here when prices change.
 */
export const PRICES: Record<string, { textIn: number; imageIn?: number; out: number }> = {
  'gpt-image-1': { textIn: 5, imageIn: 10, out: 40 },
  'gpt-image-1-mini': { textIn: 2, imageIn: 2.5, out: 8 },
  'gpt-4o': { textIn: 2.5, out: 10 },
  'gpt-4o-mini': { textIn: 0.15, out: 0.6 },
  'gpt-4.1': { textIn: 2, out: 8 },
  'gpt-4.1-mini': { textIn: 0.4, out: 1.6 },
};

/**
 * How chat models count input image tokens (OpenAI's vision pricing): a base plus a count per
 * 512 px tile, or (the newer small models) 32 px patches times a multiplier.
 */
const VISION: Record<string, { base: number; tile: number } | { patchMultiplier: number }> = {
  'gpt-4o': { base: 85, tile: 170 },
  'gpt-4o-mini': { base: 2833, tile: 5667 },
  'gpt-4.1': { base: 85, tile: 170 },
  'gpt-4.1-mini': { patchMultiplier: 1.62 },
};

/** Output image tokens of gpt-image-1 by quality and size (OpenAI's published table). */
const OUTPUT_TOKENS: Record<string, { square: number; wide: number }> = {
  low: { square: 272, wide: 408 },
  medium: { square: 1056, wide: 1584 },
  high: { square: 4160, wide: 6240 },
  auto: { square: 4160, wide: 6240 },
};

const perToken = (usdPerMillion: number) => usdPerMillion / 1_000_000;

/**
 * The Batch API's price is half the synchronous one, for every model it takes (OpenAI's Batch API
 * FAQ: "Each model will be offered at 50% cost discount vs. the synchronous APIs").
 */
export const BATCH_PRICE_FACTOR = 0.5;

function prices(model: string) {
  return PRICES[model] ?? PRICES['gpt-image-1'];
}

export interface ImageUsage {
  input_tokens: number;
  output_tokens: number;
  input_tokens_details?: { text_tokens: number; image_tokens: number };
}

/** Cost of an image call from its usage. */
export function imageCost(model: string, usage: ImageUsage): number {
  const p = prices(model);
  const text = usage.input_tokens_details?.text_tokens ?? usage.input_tokens;
  const image = usage.input_tokens_details?.image_tokens ?? 0;
  return text * perToken(p.textIn) + image * perToken(p.imageIn ?? p.textIn) + usage.output_tokens * perToken(p.out);
}

/** Estimate of one image edit before it runs: the output dominates; input counted roughly. */
export function estimateImageEdit(model: string, quality: string, size: string): number {
  const tokens = OUTPUT_TOKENS[quality] ?? OUTPUT_TOKENS.high;
  const output = size === '1024x1024' ? tokens.square : tokens.wide;
  return imageCost(model, { input_tokens: 400, output_tokens: output, input_tokens_details: { text_tokens: 60, image_tokens: 340 } });
}

/**
 * Input image tokens reserved for one image call: above what gpt-image-1 counts for the largest
 * size at high input fidelity, so the reservation is an upper bound.
 */
const MAX_INPUT_IMAGE_TOKENS = 6240;

/**
 * The most one image call can cost, reserved before it is sent (lib/jobs/spend.ts): the table's
 * output tokens for the quality and size, every byte of the prompt a token (plus the request's
 * own), and a large input image when one is sent.
 */
export function worstCaseImageCall(model: string, quality: string, size: string, prompt: string, inputImage: boolean): number {
  const tokens = OUTPUT_TOKENS[quality] ?? OUTPUT_TOKENS.high;
  const output = size === '1024x1024' ? tokens.square : tokens.wide;
  const text = Buffer.byteLength(prompt) + 100;
  const image = inputImage ? MAX_INPUT_IMAGE_TOKENS : 0;
  return imageCost(model, {
    input_tokens: text + image,
    output_tokens: output,
    input_tokens_details: { text_tokens: text, image_tokens: image },
  });
}

/** Cost of a chat call from its usage. */
export function textCost(model: string, usage: { prompt_tokens: number; completion_tokens: number }): number {
  const p = PRICES[model] ?? PRICES['gpt-4o'];
  return usage.prompt_tokens * perToken(p.textIn) + usage.completion_tokens * perToken(p.out);
}

/** Estimate of one instruction rewrite (two images in, a sentence out). */
export function estimateRewrite(model: string): number {
  return textCost(model, { prompt_tokens: 1700, completion_tokens: 60 });
}

/** Reasoning models (o-series, gpt-5) think in hidden tokens that count against max_completion_tokens. */
export const isReasoningModel = (model: string) => /^(o\d|gpt-5)/.test(model);

/** A reasoning model's completion cap: room to think before a short reply, and still a bound on spend. */
export const REASONING_MAX_COMPLETION_TOKENS = 8000;

/**
 * The max_completion_tokens of a chat call whose reply needs at most `replyTokens`: always sent, so
 * the reservation made with it (lib/jobs/spend.ts) bounds what the call can cost.
 */
export function maxCompletionTokens(model: string, replyTokens: number): number {
  return isReasoningModel(model) ? Math.max(replyTokens, REASONING_MAX_COMPLETION_TOKENS) : replyTokens;
}

/** Completion tokens a rewrite's reply may use (one sentence as JSON). */
export const REWRITE_MAX_COMPLETION_TOKENS = 400;

/** The most one rewrite can cost: two 1024 px images at full detail, the prompt, and the completion cap. */
export function worstCaseRewrite(model: string): number {
  return textCost(model, {
    prompt_tokens: 2 * visionImageTokens(model, 1024, 1024, 'high') + 400,
    completion_tokens: maxCompletionTokens(model, REWRITE_MAX_COMPLETION_TOKENS),
  });
}

export type VisionDetail = 'low' | 'high' | 'auto';

/**
 * Input tokens of one image for a chat model. Tiles: scaled to fit 2048 px, then its short side
 * to 768 px, 512 px tiles; `low` detail is the base alone. Patches: 32 px, at most 1536 (the
 * image scaled down to fit), detail ignored. `auto` is counted as `high` (the worst case).
 */
export function visionImageTokens(model: string, width: number, height: number, detail: VisionDetail): number {
  const rule = VISION[model] ?? VISION['gpt-4o'];
  if ('patchMultiplier' in rule) {
    const patches = (w: number, h: number) => Math.ceil(w / 32) * Math.ceil(h / 32);
    let count = patches(width, height);
    if (count > 1536) {
      let r = Math.sqrt((32 * 32 * 1536) / (width * height));
      r *= Math.min(Math.floor((width * r) / 32) / ((width * r) / 32), Math.floor((height * r) / 32) / ((height * r) / 32));
      count = Math.min(1536, patches(width * r, height * r));
    }
    return Math.ceil(count * rule.patchMultiplier);
  }
  if (detail === 'low') return rule.base;
  let scale = Math.min(1, 2048 / Math.max(width, height));
  scale *= Math.min(1, 768 / Math.min(width * scale, height * scale));
  return rule.base + rule.tile * Math.ceil((width * scale) / 512) * Math.ceil((height * scale) / 512);
}

/** Estimate of a chat call with images: text and image input tokens, and the expected reply length. */
export function estimateVisionChat(
  model: string,
  request: { textTokens: number; images: { width: number; height: number }[]; detail: VisionDetail; completionTokens: number },
): number {
  const imageTokens = request.images.reduce((sum, image) => sum + visionImageTokens(model, image.width, image.height, request.detail), 0);
  return textCost(model, { prompt_tokens: request.textTokens + imageTokens, completion_tokens: request.completionTokens });
}
