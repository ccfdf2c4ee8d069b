import sharp from 'sharp';

// Both images are compared at this size: small enough to be cheap, large enough that a blur still shows.
export const N = 256;

export type Pixels = Uint8Array; // N*N RGB

export async function pixelsOf(image: Buffer): Promise<Pixels> {
  const { data, info } = await sharp(image)
    .flatten({ background: '#ffffff' })
    .resize(N, N, { fit: 'fill' })
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels === 3) return data;
  const rgb = new Uint8Array(N * N * 3);
  for (let i = 0; i < N * N; i++) for (let c = 0; c < 3; c++) rgb[i * 3 + c] = data[i * info.channels + Math.min(c, info.channels - 1)];
  return rgb;
}

export function meanAbsDiff(a: Pixels, b: Pixels): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] - b[i]);
  return sum / a.length;
}

/** The pixels mirrored left-right (`horizontal`) or top-bottom. */
function mirrored(p: Pixels, horizontal: boolean): Pixels {
  const out = new Uint8Array(p.length);
  for (let y = 0; y < N; y++) {
    for (let x = 0; x < N; x++) {
      const from = horizontal ? (y * N + (N - 1 - x)) * 3 : ((N - 1 - y) * N + x) * 3;
      out.set(p.subarray(from, from + 3), (y * N + x) * 3);
    }
  }
  return out;
}

function inverted(p: Pixels): Pixels {
  return p.map((v) => 255 - v);
}

export const luma = (p: Pixels, i: number) => 0.299 * p[i] + 0.587 * p[i + 1] + 0.114 * p[i + 2];

/** Hue in degrees and saturation (max - min, 0..1) of the pixel at byte offset i. */
function hueSat(p: Pixels, i: number): { hue: number; sat: number } {
  const [r, g, b] = [p[i], p[i + 1], p[i + 2]];
  const max = Math.max(r, g, b);
  const min = Math.min(r, g, b);
  const d = max - min;
  if (d === 0) return { hue: 0, sat: 0 };
  let hue = max === r ? ((g - b) / d) % 6 : max === g ? (b - r) / d + 2 : (r - g) / d + 4;
  hue *= 60;
  return { hue: hue < 0 ? hue + 360 : hue, sat: d / 255 };
}

interface Stats {
  saturation: number;
  brightness: number;
  /** Mean squared luminance gradient: falls when edges are spread by a blur. */
  edgeEnergy: number;
  /** The mean hue of the most common 30° hue band among coloured pixels (weighted by saturation), and that band's share (0..1). */
  dominantHue: number;
  hueConcentration: number;
}

function statsOf(p: Pixels): Stats {
  let saturation = 0;
  let brightness = 0;
  let edgeEnergy = 0;
  const bins = new Array(12).fill(0);
  const hueSums = new Array(12).fill(0);
  for (let y = 0; y < N; y++) {
    for (let x = 0; x < N; x++) {
      const i = (y * N + x) * 3;
      const { hue, sat } = hueSat(p, i);
      saturation += sat;
      brightness += luma(p, i);
      if (sat > 0.1) {
        const bin = Math.floor(hue / 30) % 12;
        bins[bin] += sat;
        hueSums[bin] += sat * hue;
      }
      if (x + 1 < N) edgeEnergy += (luma(p, i + 3) - luma(p, i)) ** 2;
      if (y + 1 < N) edgeEnergy += (luma(p, i + N * 3) - luma(p, i)) ** 2;
    }
  }
  const total = bins.reduce((a, b) => a + b, 0);
  const top = bins.indexOf(Math.max(...bins));
  return {
    saturation: saturation / (N * N),
    brightness: brightness / (N * N),
    edgeEnergy: edgeEnergy / (N * N),
    dominantHue: bins[top] > 0 ? hueSums[top] / bins[top] : 0,
    hueConcentration: total > 0 ? bins[top] / total : 0,
  };
}

/** Mean hue rotation from a to b over pixels coloured in both, and its coherence (1 = all pixels agree). */
function hueRotation(a: Pixels, b: Pixels): { degrees: number; coherence: number } {
  let cos = 0;
  let sin = 0;
  let weight = 0;
  for (let i = 0; i < a.length; i += 3) {
    const ha = hueSat(a, i);
    const hb = hueSat(b, i);
    const w = Math.min(ha.sat, hb.sat);
    if (w < 0.15) continue;
    const d = ((hb.hue - ha.hue) * Math.PI) / 180;
    cos += w * Math.cos(d);
    sin += w * Math.sin(d);
    weight += w;
  }
  if (weight === 0) return { degrees: 0, coherence: 0 };
  return { degrees: (Math.atan2(sin, cos) * 180) / Math.PI, coherence: Math.hypot(cos, sin) / weight };
}

export function hueName(degrees: number): string {
  const names: [number, string][] = [
    [15, 'red'],
    [45, 'orange'],
    [75, 'yellow'],
    [165, 'green'],
    [195, 'cyan'],
    [255, 'blue'],
    [285, 'purple'],
    [335, 'magenta'],
    [360, 'red'],
  ];
  return names.find(([limit]) => degrees < limit)![1];
}

/**
 * Describes, as an editing instruction, how `edited` differs from `source`, from simple pixel
 * statistics. Checks go from the most to the least specific change.
 */
export async function describeEdit(source: Buffer, edited: Buffer): Promise<string> {
  const [a, b] = await Promise.all([pixelsOf(source), pixelsOf(edited)]);
  const sa = statsOf(a);
  const sb = statsOf(b);
  const same = meanAbsDiff(a, b);
  const closerThanSame = (candidate: Pixels, limit: number) => {
    const d = meanAbsDiff(candidate, b);
    return d < limit && d < same * 0.5;
  };

  if (sa.saturation > 0.08 && sb.saturation < 0.03) return 'Convert the image to black and white.';
  if (closerThanSame(mirrored(a, true), 10)) return 'Flip the image horizontally.';
  if (closerThanSame(mirrored(a, false), 10)) return 'Flip the image upside down.';
  if (closerThanSame(inverted(a), 20)) return 'Invert the colors of the image.';
  const rotation = hueRotation(a, b);
  // Sepia: nearly every coloured pixel ends up in one brownish-orange hue.
  if (sb.hueConcentration > 0.8 && sa.hueConcentration < 0.6 && sb.dominantHue > 20 && sb.dominantHue < 55) {
    return 'Give the image a warm sepia tone.';
  }
  if (rotation.coherence > 0.6 && Math.abs(rotation.degrees) > 25) {
    return `Shift the colors of the image toward ${hueName(sb.dominantHue)}.`;
  }
  if (sb.brightness - sa.brightness > 12) return 'Make the image brighter.';
  if (sa.brightness - sb.brightness > 12) return 'Make the image darker.';
  if (sb.edgeEnergy < sa.edgeEnergy * 0.5) return 'Blur the whole image.';
  return 'Adjust the colors and tone of the image.';
}
