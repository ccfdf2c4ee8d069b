import { createHash } from 'node:crypto';
import sharp, { type Sharp } from 'sharp';
import { GPT_IMAGE_SIZES, type GptImageSize } from './validation';

export type EditEffect =
  'greyscale' | 'invert' | 'flip-vertical' | 'flip-horizontal' | 'blur' | 'sepia' | 'hue' | 'brighten' | 'darken' | 'default';

// Checked in order, so "flip it upside down" is a vertical flip and "black and white" is not a colour change.
const EFFECT_WORDS: [EditEffect, RegExp][] = [
  ['greyscale', /\b(gr[ae]yscale|black[- ]and[- ]white|b&w|monochrome)\b/],
  ['invert', /\b(invert(ed)?|negative)\b/],
  ['flip-vertical', /\b(upside[- ]down|vertical(ly)?)\b/],
  ['flip-horizontal', /\b(flip(ped)?|mirror(ed)?)\b/],
  ['blur', /\b(blur(red|ry)?|soft(er|en)?)\b/],
  ['sepia', /\b(sepia|old|vintage)\b/],
  ['hue', /\b(hues?|colou?rs?|green|blue|red|purple)\b/],
  ['brighten', /\b(bright(er|en)?|sunny|light(er|en)?)\b/],
  ['darken', /\b(dark(er|en)?|night)\b/],
];

/** The visible change an edit prompt asks for, chosen from its words (deterministic). */
export function effectForPrompt(prompt: string): EditEffect {
  const text = prompt.toLowerCase();
  return EFFECT_WORDS.find(([, words]) => words.test(text))?.[0] ?? 'default';
}

export function sizeOf(size: string): { width: number; height: number } {
  const [width, height] = size.split('x').map(Number);
  return { width, height };
}

/** `size: auto` keeps the supported size whose aspect ratio is nearest the input's. */
export function nearestSize(width: number, height: number): GptImageSize {
  const distance = (size: GptImageSize) => {
    const s = sizeOf(size);
    return Math.abs(Math.log(width / height) - Math.log(s.width / s.height));
  };
  return [...GPT_IMAGE_SIZES].sort((a, b) => distance(a) - distance(b))[0];
}

// Every effect is per pixel or a mirror, never a shift or a border, so padding a client added stays put.
function applyEffect(image: Sharp, effect: EditEffect): Sharp {
  switch (effect) {
    case 'greyscale':
      return image.greyscale().toColourspace('srgb');
    case 'invert':
      return image.negate();
    case 'flip-vertical':
      return image.flip();
    case 'flip-horizontal':
      return image.flop();
    case 'blur':
      return image.blur(6);
    case 'sepia':
      return image.recomb([
        [0.393, 0.769, 0.189],
        [0.349, 0.686, 0.168],
        [0.272, 0.534, 0.131],
      ]);
    case 'hue':
      return image.modulate({ hue: 120 });
    case 'brighten':
      return image.modulate({ brightness: 1.3 });
    case 'darken':
      return image.modulate({ brightness: 0.6 });
    case 'default':
      // More saturation and a warm lift of the shadows; white stays exactly white (0.9 * 255 + 25.5).
      return image.modulate({ saturation: 1.4 }).linear([0.9, 1, 1], [25.5, 0, 0]);
  }
}

export interface OutputOptions {
  format: 'png' | 'jpeg' | 'webp';
  compression: number;
}

function encode(image: Sharp, output: OutputOptions): Promise<Buffer> {
  if (output.format === 'jpeg') return image.jpeg({ quality: Math.max(1, output.compression) }).toBuffer();
  if (output.format === 'webp') return image.webp({ quality: Math.max(1, output.compression) }).toBuffer();
  return image.png().toBuffer();
}

/**
 * The local "edit": the first input image stretched to the requested size (so relative
 * positions are kept and a client's padding and crop arithmetic is really exercised), then
 * the effect the prompt names. The same input, effect, size and output give the same bytes, so
 * the last few edits are kept and a repeated request is answered from them: the server stands in
 * for a remote service, and its pixel work should not take the cores from the client it serves
 * (bench:regenerate sends the same padded image every time).
 */
export function editImage(input: Buffer, prompt: string, width: number, height: number, output: OutputOptions): Promise<Buffer> {
  const effect = effectForPrompt(prompt);
  const key = [createHash('sha256').update(input).digest('hex'), effect, width, height, output.format, output.compression].join(':');
  const known = recentEdits.get(key);
  if (known) {
    recentEdits.delete(key); // most recently used goes last
    recentEdits.set(key, known);
    return known;
  }
  const made = makeEdit(input, effect, width, height, output);
  recentEdits.set(key, made);
  made.catch(() => recentEdits.delete(key)); // an input that fails is tried again, not remembered
  if (recentEdits.size > RECENT_EDITS) recentEdits.delete(recentEdits.keys().next().value!);
  return made;
}

/** How many edits are kept (each a bucket-sized PNG, a few MB). */
const RECENT_EDITS = 8;
const recentEdits = new Map<string, Promise<Buffer>>();

async function makeEdit(input: Buffer, effect: EditEffect, width: number, height: number, output: OutputOptions): Promise<Buffer> {
  // Two passes: sharp reorders operations within one pipeline, and the effect must come after the resize.
  const { data, info } = await sharp(input)
    .flatten({ background: '#ffffff' })
    .resize(width, height, { fit: 'fill' })
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  const base = sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } });
  return encode(applyEffect(base, effect), output);
}

/** A synthetic picture derived from a hash of the prompt: a two-colour gradient and a few shapes. */
export async function generateImage(prompt: string, index: number, width: number, height: number, output: OutputOptions): Promise<Buffer> {
  const bytes = createHash('sha256').update(`${index}:${prompt}`).digest();
  const colour = (i: number) => `rgb(${bytes[i]},${bytes[i + 1]},${bytes[i + 2]})`;
  const shapes: string[] = [];
  for (let k = 0; k < 4; k++) {
    const b = 8 + k * 6;
    const x = Math.round((bytes[b] / 255) * width);
    const y = Math.round((bytes[b + 1] / 255) * height);
    const r = Math.round(Math.min(width, height) * (0.05 + (bytes[b + 2] / 255) * 0.15));
    shapes.push(
      k % 2 === 0
        ? `<circle cx="${x}" cy="${y}" r="${r}" fill="${colour(b + 3)}"/>`
        : `<rect x="${x - r}" y="${y - r}" width="${2 * r}" height="${r}" fill="${colour(b + 3)}"/>`,
    );
  }
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="${colour(0)}"/><stop offset="1" stop-color="${colour(3)}"/></linearGradient></defs>
<rect width="${width}" height="${height}" fill="url(#g)"/>${shapes.join('')}</svg>`;
  return encode(sharp(Buffer.from(svg)).flatten({ background: '#ffffff' }), output);
}

// Output tokens per image from OpenAI's gpt-image-1 tables: [square, portrait or landscape].
const OUTPUT_TOKENS: Record<'low' | 'medium' | 'high', [number, number]> = {
  low: [272, 408],
  medium: [1056, 1584],
  high: [4160, 6240],
};
/** Input image tokens at low fidelity; high fidelity adds the high-quality output figure for the image's shape. */
const INPUT_IMAGE_TOKENS = 323;

export function outputTokens(quality: 'low' | 'medium' | 'high', size: GptImageSize): number {
  return OUTPUT_TOKENS[quality][size === '1024x1024' ? 0 : 1];
}

export function inputImageTokens(fidelity: 'low' | 'high', width: number, height: number): number {
  return fidelity === 'low' ? INPUT_IMAGE_TOKENS : INPUT_IMAGE_TOKENS + outputTokens('high', nearestSize(width, height));
}

export function textTokens(text: string): number {
  return Math.ceil(text.length / 4);
}
