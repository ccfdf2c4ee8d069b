'use client';

import type { ReviewCandidate, ReviewItem } from '@/lib/review/items';
import { previewUrl } from './api';

const money = (value: unknown) => (typeof value === 'number' ? `$${value.toFixed(3)}` : undefined);

/** The provenance of a candidate as a few lines of text (shown on hover). */
export function provenanceText(candidate: ReviewCandidate): string {
  const p = candidate.provenance as Record<string, unknown>;
  if (candidate.origin === 'dataset') return 'The edited image from the imported dataset.';
  const lines = [
    [p.model, p.quality, p.size].filter(Boolean).join(' · '),
    p.prompt ? `prompt: ${p.prompt}` : '',
    p.sourcePrompt ? `source from: ${p.sourcePrompt}` : '',
    p.requestId ? `request ${p.requestId}` : '',
    [money(p.costUsd), typeof p.durationMs === 'number' ? `${(p.durationMs / 1000).toFixed(1)} s` : ''].filter(Boolean).join(' · '),
    p.requestedBy ? `asked by ${p.requestedBy} at ${new Date(Number(p.requestedAt ?? candidate.createdAt)).toLocaleString()}` : '',
    candidate.paddingOk === false ? `padding check FAILED: ${describePadding(p)}` : candidate.paddingOk ? 'padding check passed' : '',
    candidate.simulated ? 'simulated: made by the local OpenAI-compatible server, not the real API' : '',
  ];
  return lines.filter(Boolean).join('\n');
}

function describePadding(p: Record<string, unknown>): string {
  const check = p.paddingCheck as { residualFraction?: number; wrongSize?: boolean } | undefined;
  if (!check) return 'see details';
  if (check.wrongSize) return 'the result had the wrong size';
  return `${((check.residualFraction ?? 0) * 100).toFixed(2)}% residual padding`;
}

/** The item's edited-image candidates (dataset edit and regenerations); the verdict applies to the chosen one. */
export function CandidateStrip({ item, chosenId, onChoose }: { item: ReviewItem; chosenId: number; onChoose: (id: number) => void }) {
  if (item.candidates.length < 2) return null;
  return (
    <div className="flex items-center gap-2" role="radiogroup" aria-label="Edited image the verdict applies to" data-testid="candidates">
      <span className="text-xs uppercase tracking-wide text-neutral-500">
        Candidates <kbd>c</kbd>
      </span>
      {item.candidates.map((candidate, index) => {
        const chosen = candidate.id === chosenId;
        return (
          <button
            key={candidate.id}
            role="radio"
            aria-checked={chosen}
            title={provenanceText(candidate)}
            onClick={() => onChoose(candidate.id)}
            className={`flex items-center gap-2 rounded-md border px-1.5 py-1 text-xs ${
              chosen ? 'border-neutral-300 bg-neutral-800 text-neutral-100' : 'border-neutral-800 text-neutral-400 hover:border-neutral-600'
            }`}
          >
            {/* eslint-disable-next-line @next/next/no-img-element -- served by our own image route */}
            <img src={previewUrl('candidate', candidate.id)} alt="" className="h-8 w-8 rounded-sm object-cover" />
            <span>
              {index === 0 && candidate.origin === 'dataset' ? 'dataset' : `regenerated ${index}`}
              {candidate.simulated && <span className="ml-1 rounded bg-sky-500/15 px-1 text-sky-300">simulated</span>}
              {candidate.paddingOk === false && <span className="ml-1 rounded bg-amber-500/15 px-1 text-amber-300">padding</span>}
            </span>
          </button>
        );
      })}
    </div>
  );
}
