'use client';

import { useCallback, useRef, useState } from 'react';
import { RUBRIC } from '@/lib/audit/rubric';
import type { RubricDimension } from '@/lib/audit/spec';
import { EMPTY_SCORES, type Scores } from './Rubric';

/** The first scale without a score at or after `from` (wrapping), or -1 when all are scored. */
export function nextUnscored(scores: Scores, from: number): number {
  for (let step = 0; step < RUBRIC.length; step++) {
    const index = (from + step) % RUBRIC.length;
    if (scores[RUBRIC[index].dimension] === null) return index;
  }
  return -1;
}

/** The rubric as the auditor fills it in for the sample shown: scores, the active scale, the note, and time spent. */
export function useScoring() {
  const [scores, setScores] = useState<Scores>(EMPTY_SCORES);
  const [active, setActive] = useState(0);
  const [note, setNote] = useState('');
  const shownAt = useRef(0);

  /** A new sample: nothing scored, the first scale active, no note, the clock started. */
  const reset = useCallback(() => {
    setScores(EMPTY_SCORES);
    setActive(0);
    setNote('');
    shownAt.current = performance.now();
  }, []);

  /** Scores a scale (clamped to 0–10), then makes the next unscored one active. */
  const score = (dimension: RubricDimension, value: number) => {
    const next = { ...scores, [dimension]: Math.max(0, Math.min(10, value)) };
    setScores(next);
    const index = RUBRIC.findIndex((s) => s.dimension === dimension);
    const following = nextUnscored(next, index + 1);
    if (following !== -1) setActive(following);
  };

  return {
    scores,
    active,
    setActive,
    note,
    setNote,
    reset,
    score,
    msSpent: () => Math.round(performance.now() - shownAt.current),
  };
}

export type Scoring = ReturnType<typeof useScoring>;
