/**
 * USD prices used for estimates before a job and costs after it (from the API's usage).
 * Per 1M tokens, as OpenAI lists them; edit here when prices change.
 */
export const PRICES: Record<string, { textIn: number; imageIn?: number; out: number }> = {
  'gpt-image-1': { textIn: 5, imageIn: 10, out: 40 },
  'gpt-image-1-mini': { textIn: 2, imageIn: 2.5, out: 8 },
  'gpt-4o': { textIn: 2.5, out: 10 },
  'gpt-4o-mini': { textIn: 0.15, out: 0.6 },
};

/** Output image tokens of gpt-image-1 by quality and size (OpenAI's published table). */
const OUTPUT_TOKENS: Record<string, { square: number; wide: number }> = {
  low: { square: 272, wide: 408 },
  medium: { square: 1056, wide: 1584 },
  high: { square: 4160, wide: 6240 },
  auto: { square: 4160, wide: 6240 },
};

const perToken = (usdPerMillion: number) => usdPerMillion / 1_000_000;

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

/** Cost of a chat call from its usage. */
export function textCost(model: string, usage: { prompt_tokens: number; completion_tokens: number }): number {
  const p = PRICES[model] ?? PRICES['gpt-4o'];
  return usage.prompt_tokens * perToken(p.textIn) + usage.completion_tokens * perToken(p.out);
}

/** Estimate of one instruction rewrite (two images in, a sentence out). */
export function estimateRewrite(model: string): number {
  return textCost(model, { prompt_tokens: 1700, completion_tokens: 60 });
}
