import type { DecidedVersion } from '@/lib/review/decided';
import type { ReviewItem } from '@/lib/review/items';
import { labelVersion } from '@/lib/review/version-label';

/**
 * Which version of a decided item the page shows: the one its deciding verdict chose (what
 * is exported and audited), and a warning when an edit or instruction was made after the decision.
 */
export function DecidedVersionNote({ item, decided }: { item: ReviewItem; decided: DecidedVersion }) {
  const label = labelVersion(item, decided, decided.verdict.created_at);
  const verb = decided.verdict.decision === 'accept' ? 'accepted' : 'rejected';
  const by =
    decided.verdict.kind === 'adjudication'
      ? `adjudicated by ${decided.verdict.reviewer}`
      : `as chosen in ${decided.verdict.reviewer}’s verdict, the one that decided it`;
  return (
    <div className="flex flex-wrap items-baseline gap-x-3 gap-y-1 text-sm" data-testid="decided-version">
      <span className="text-neutral-300">
        <span className="text-neutral-500">{verb} version:</span> <span data-testid="decided-label">{label.text}</span>
      </span>
      <span className="text-xs text-neutral-500">{by}</span>
      {[label.newerCandidate, label.newerInstruction].filter(Boolean).map((text) => (
        <span key={text} className="rounded bg-amber-500/15 px-1.5 py-0.5 text-xs text-amber-300" data-testid="decided-newer">
          {text}
        </span>
      ))}
    </div>
  );
}
