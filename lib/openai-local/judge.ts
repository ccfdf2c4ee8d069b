import { describeEdit, luma, meanAbsDiff, N, pixelsOf, type Pixels } from './analysis';

/** The scores of Loupe's VLM judge (lib/signals/judge.ts), GEdit-Bench style: integers 0-10. */
export const JUDGE_SCORE_KEYS = ['editing_success', 'over_editing', 'naturalness', 'artifacts'] as const;

export type JudgeAnswer = Record<(typeof JUDGE_SCORE_KEYS)[number], number> & { reasoning: string };

/** A response schema asks for the judge's scores when it has all four score properties. */
export function isJudgeSchema(schema: Record<string, unknown>): boolean {
  const properties = schema.properties;
  return typeof properties === 'object' && properties !== null && JUDGE_SCORE_KEYS.every((key) => key in properties);
}

const score = (value: number) => Math.max(0, Math.min(10, Math.round(value)));

/** Share of channel values at the ends of the range (blown highlights, crushed shadows). */
function clipped(p: Pixels): number {
  let n = 0;
  for (const v of p) if (v <= 2 || v >= 253) n++;
  return n / p.length;
}

/** Mean absolute Laplacian of the luminance: noise, ringing and jagged edges raise it. */
function highFrequency(p: Pixels): number {
  let sum = 0;
  for (let y = 1; y < N - 1; y++) {
    for (let x = 1; x < N - 1; x++) {
      const i = (y * N + x) * 3;
      const around = luma(p, i - 3) + luma(p, i + 3) + luma(p, i - N * 3) + luma(p, i + N * 3);
      sum += Math.abs(4 * luma(p, i) - around);
    }
  }
  return sum / ((N - 2) * (N - 2));
}

/**
 * A deterministic stand-in for a VLM's judgement, from cheap pixel statistics of the two images:
 * editing_success grows with the mean absolute difference (no change, no edit), over_editing
 * falls once the difference is large, naturalness falls with newly clipped pixels, artifacts
 * with the rise in high-frequency energy.
 */
export async function judgeEdit(source: Buffer, edited: Buffer): Promise<JudgeAnswer> {
  const [a, b, description] = await Promise.all([pixelsOf(source), pixelsOf(edited), describeEdit(source, edited)]);
  const difference = meanAbsDiff(a, b);
  const hfRatio = highFrequency(b) / Math.max(highFrequency(a), 0.5);
  const answer = {
    editing_success: score(difference / 2),
    over_editing: score(10 - Math.max(0, difference - 40) / 8),
    naturalness: score(10 - 12 * Math.max(0, clipped(b) - clipped(a))),
    artifacts: score(10 - 6 * Math.log2(Math.max(1, hfRatio))),
  };
  const looks =
    difference < 1 ? 'the edited image looks the same as the source' : `the edit looks like "${description.replace(/\.$/, '')}"`;
  const reasoning =
    `Simulated from pixels: ${looks}, with a mean change of ` +
    `${difference.toFixed(1)}/255 and ${hfRatio.toFixed(2)}× the source's high-frequency energy.`;
  return { reasoning, ...answer };
}
