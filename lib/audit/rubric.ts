import type { RubricDimension } from './spec';

export interface RubricScale {
  dimension: RubricDimension;
  label: string;
  /** The key that selects the scale on the audit page. */
  key: string;
  question: string;
  /** What a score means, anchored GEdit-Bench / Complex-Edit style (0, 5, 10 and between). */
  anchors: [score: number, meaning: string][];
}

/** The audit rubric: three 0-10 scales, as in GEdit-Bench's semantic consistency / perceptual quality and Complex-Edit. */
export const RUBRIC: RubricScale[] = [
  {
    dimension: 'instructionFollowing',
    label: 'Instruction following',
    key: 'i',
    question: 'Does the edited image do what the instruction asks?',
    anchors: [
      [0, 'ignored, or a different edit'],
      [3, 'barely: a token attempt'],
      [5, 'partly done'],
      [8, 'done, small misses'],
      [10, 'exactly as asked'],
    ],
  },
  {
    dimension: 'identityPreservation',
    label: 'Identity preservation',
    key: 'p',
    question: 'Is everything the instruction did not ask to change left as it was?',
    anchors: [
      [0, 'a different subject or scene'],
      [3, 'same scene, subject altered'],
      [5, 'recognisable, clear side changes'],
      [8, 'minor drift (colour, detail)'],
      [10, 'everything else unchanged'],
    ],
  },
  {
    dimension: 'visualQuality',
    label: 'Visual quality',
    key: 'q',
    question: 'Does the edited image look natural and free of artifacts?',
    anchors: [
      [0, 'broken, unusable'],
      [3, 'obvious artifacts or padding'],
      [5, 'visible flaws'],
      [8, 'clean, slight tells'],
      [10, 'indistinguishable from a real photo'],
    ],
  },
];

/** The anchor text nearest below a score (what the page shows beside the chosen value). */
export function anchorFor(scale: RubricScale, score: number): string {
  let text = scale.anchors[0][1];
  for (const [at, meaning] of scale.anchors) if (score >= at) text = meaning;
  return text;
}
