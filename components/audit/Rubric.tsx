'use client';

import { anchorFor, RUBRIC, type RubricScale } from '@/lib/audit/rubric';
import type { RubricDimension } from '@/lib/audit/spec';

export type Scores = Record<RubricDimension, number | null>;

export const EMPTY_SCORES: Scores = { instructionFollowing: null, identityPreservation: null, visualQuality: null };

const SCORES = Array.from({ length: 11 }, (_, i) => i);

/** The colour of a score: rose at the bottom, amber in the middle, emerald at the top. */
function tone(score: number): string {
  if (score <= 3) return 'border-rose-400/80 bg-rose-500/25 text-rose-50';
  if (score <= 6) return 'border-amber-400/80 bg-amber-500/20 text-amber-50';
  return 'border-emerald-400/80 bg-emerald-500/20 text-emerald-50';
}

function Scale({
  scale,
  score,
  active,
  onSelect,
  onScore,
}: {
  scale: RubricScale;
  score: number | null;
  active: boolean;
  onSelect: () => void;
  onScore: (score: number) => void;
}) {
  const ends = [scale.anchors[0], scale.anchors.find(([at]) => at === 5)!, scale.anchors.at(-1)!];
  return (
    <div
      data-testid={`rubric-${scale.dimension}`}
      data-score={score ?? ''}
      data-active={active || undefined}
      onClick={onSelect}
      className={`rounded-lg border px-3 py-2 transition-colors ${
        active ? 'border-sky-400/60 bg-neutral-800/70 ring-1 ring-sky-400/25' : 'border-neutral-800 bg-neutral-900/40'
      }`}
    >
      <div className="flex items-baseline gap-2 text-sm">
        <kbd>{scale.key}</kbd>
        <span
          className={`shrink-0 whitespace-nowrap ${active ? 'font-medium text-neutral-100' : 'text-neutral-300'}`}
          title={scale.question}
        >
          {scale.label}
        </span>
        <span
          className="ml-auto min-w-0 truncate text-xs text-neutral-400"
          aria-live="polite"
          title={score === null ? undefined : anchorFor(scale, score)}
        >
          {score === null ? <span className="text-neutral-500">not scored</span> : `${score} · ${anchorFor(scale, score)}`}
        </span>
      </div>
      <div role="radiogroup" aria-label={scale.label} className="mt-2 grid grid-cols-11 gap-1">
        {SCORES.map((value) => (
          <button
            key={value}
            type="button"
            role="radio"
            aria-checked={score === value}
            aria-label={`${scale.label} ${value}`}
            tabIndex={-1}
            onClick={(e) => {
              e.stopPropagation();
              // Keys go back to the page (Enter passes) rather than to this button.
              e.currentTarget.blur();
              onSelect();
              onScore(value);
            }}
            className={`h-7 rounded-md border text-xs tabular-nums ${
              score === value ? tone(value) : 'border-neutral-800 text-neutral-400 hover:border-neutral-600 hover:text-neutral-200'
            }`}
          >
            {value}
          </button>
        ))}
      </div>
      <div className="mt-1 grid grid-cols-3 text-[11px] leading-tight text-neutral-500">
        {ends.map(([at, meaning], i) => (
          <span key={at} className={i === 0 ? 'text-left' : i === 1 ? 'text-center' : 'text-right'}>
            {at} · {meaning}
          </span>
        ))}
      </div>
    </div>
  );
}

/** The three 0-10 scales of the audit rubric; one is active and takes the typed digits. */
export function Rubric({
  scores,
  active,
  onSelect,
  onScore,
}: {
  scores: Scores;
  active: number;
  onSelect: (index: number) => void;
  onScore: (dimension: RubricDimension, score: number) => void;
}) {
  return (
    <div className="grid gap-2 lg:grid-cols-3">
      {RUBRIC.map((scale, index) => (
        <Scale
          key={scale.dimension}
          scale={scale}
          score={scores[scale.dimension]}
          active={index === active}
          onSelect={() => onSelect(index)}
          onScore={(score) => onScore(scale.dimension, score)}
        />
      ))}
    </div>
  );
}
