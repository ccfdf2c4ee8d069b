'use client';

import type { CandidateSignal, ReviewCandidate } from '@/lib/review/items';

/** Below this SSIM and above this changed share, the edit may have changed everything. */
const EVERYTHING_CHANGED = { ssim: 0.25, changed: 0.9 };
/** Above this SSIM and below this changed share, the edit may have changed nothing. */
const NOTHING_CHANGED = { ssim: 0.97, changed: 0.01 };
/** The regeneration recipe's residual-padding limit. */
const PADDING_LIMIT = 0.005;

const percent = (v: number) => `${(v * 100).toFixed(v < 0.1 ? 1 : 0)}%`;

interface Chip {
  label: string;
  title: string;
  warn?: boolean;
  testid: string;
}

function chips(signals: Record<string, CandidateSignal>): Chip[] {
  const value = (name: string) => signals[name]?.value ?? null;
  const out: Chip[] = [];
  const overall = value('judge_overall');
  if (overall !== null) {
    const detail = signals.judge_overall.detail;
    out.push({
      label: `judge ${overall.toFixed(1)} · SC ${value('judge_sc') ?? '–'} · PQ ${value('judge_pq') ?? '–'}`,
      title: `VLM judge (${String(detail.model ?? 'model')}): overall = √(SC × PQ), 0–10.${
        detail.reasoning ? `\n${String(detail.reasoning)}` : ''
      }${detail.simulated ? '\nsimulated: the local OpenAI-compatible server answered' : ''}`,
      warn: overall < 5,
      testid: 'signal-judge',
    });
  }
  const ssim = value('ssim');
  const changed = value('changed_fraction');
  if (ssim !== null || changed !== null) {
    const nothing = ssim !== null && changed !== null && ssim >= NOTHING_CHANGED.ssim && changed <= NOTHING_CHANGED.changed;
    const everything = (ssim !== null && ssim <= EVERYTHING_CHANGED.ssim) || (changed !== null && changed >= EVERYTHING_CHANGED.changed);
    out.push({
      label: `${nothing ? 'nothing changed? ' : everything ? 'everything changed? ' : ''}SSIM ${ssim?.toFixed(2) ?? '–'} · changed ${
        changed === null ? '–' : percent(changed)
      }`,
      title: 'Edit magnitude: structural similarity of source and edit (1 = identical) and the share of pixels that changed.',
      warn: nothing || everything,
      testid: 'signal-magnitude',
    });
  }
  const padding = value('padding_residual');
  if (padding !== null) {
    out.push({
      label: `padding ${percent(padding)}`,
      title: `Residual white or black padding along the borders (over ${percent(PADDING_LIMIT)} fails the recipe's check).`,
      warn: padding > PADDING_LIMIT,
      testid: 'signal-padding',
    });
  }
  for (const [name, what] of [
    ['dup_source', 'source'],
    ['dup_edit', 'edit'],
  ] as const) {
    const size = value(name);
    if (size !== null && size > 1) {
      out.push({
        label: `near-duplicate ${what} ×${size}`,
        title: `${size} items of this dataset have a near-identical ${what} image (perceptual hash).`,
        warn: true,
        testid: `signal-${name}`,
      });
    }
  }
  return out;
}

/** The chosen candidate's computed signals, as a calm row of chips (amber when a signal looks wrong). */
export function SignalStrip({ candidate }: { candidate: ReviewCandidate }) {
  const list = chips(candidate.signals);
  if (list.length === 0) return null;
  return (
    <div className="flex flex-wrap items-center gap-2 text-xs" data-testid="signals">
      {list.map((chip) => (
        <span
          key={chip.testid}
          title={chip.title}
          data-testid={chip.testid}
          className={`rounded-md border px-2 py-0.5 tabular-nums ${
            chip.warn ? 'border-amber-700/60 bg-amber-500/10 text-amber-200' : 'border-neutral-800 text-neutral-400'
          }`}
        >
          {chip.label}
        </span>
      ))}
    </div>
  );
}
