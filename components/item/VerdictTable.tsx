import type { ItemVerdict } from '@/lib/review/adjudication';
import { reasonLabel } from '@/lib/review/history';
import type { ReviewItem } from '@/lib/review/items';
import { candidateName, instructionName } from '@/lib/review/version-label';
import { EmptyState } from '@/components/ui/EmptyState';
import { Row, Table } from '@/components/ui/Table';
import { LocalTime } from './LocalTime';

const COLUMNS = [
  { header: 'When', className: 'w-44' },
  { header: 'Who', className: 'w-28' },
  { header: 'Kind', className: 'w-28' },
  { header: 'Verdict', className: 'w-20' },
  { header: 'Applied to', className: 'w-56' },
  'Reasons and comment',
] as const;

const DECISION_STYLE: Record<string, string> = {
  accept: 'text-emerald-300',
  reject: 'text-rose-300',
  skip: 'text-neutral-400',
};

const KIND_STYLE: Record<string, string> = {
  review: 'text-neutral-400 bg-neutral-800',
  gold: 'text-yellow-200 bg-yellow-500/15',
  adjudication: 'text-sky-300 bg-sky-500/15',
};

/** Every verdict on the item, each with the edit and instruction it applied to; undone ones struck through (they no longer count). */
export function VerdictTable({ verdicts, item }: { verdicts: ItemVerdict[]; item: Pick<ReviewItem, 'candidates' | 'instructions'> }) {
  if (verdicts.length === 0) return <EmptyState look="inline" className="py-3" message="No verdicts yet." />;
  return (
    <Table fixed testId="verdicts" columns={COLUMNS}>
      {verdicts.map((v) => (
        <Row
          key={v.id}
          data-testid="verdict-row"
          data-undone={v.undone || undefined}
          className={`align-top ${v.undone ? 'text-neutral-500 line-through decoration-neutral-500' : ''}`}
        >
          <td className="whitespace-nowrap py-2 pr-3 tabular-nums text-neutral-400">
            <LocalTime at={v.createdAt} />
          </td>
          <td className="truncate py-2 pr-3 text-neutral-200" title={v.reviewer}>
            {v.reviewer}
          </td>
          <td className="py-2 pr-3">
            <span className={`rounded px-1.5 py-0.5 text-xs ${KIND_STYLE[v.kind] ?? KIND_STYLE.review}`}>{v.kind}</span>
          </td>
          <td className={`py-2 pr-3 font-medium ${v.undone ? '' : (DECISION_STYLE[v.decision] ?? '')}`}>{v.decision}</td>
          <td className="py-2 pr-3 text-neutral-300" data-testid="verdict-version">
            {v.candidateId === null && v.instructionVersionId === null ? (
              // Recorded before verdicts named their version: which one it saw is not known.
              <span className="text-neutral-500">version not recorded</span>
            ) : (
              <>
                {candidateName(item.candidates, v.candidateId)}
                <span className="text-neutral-600"> · </span>
                {instructionName(item.instructions, v.instructionVersionId)}
              </>
            )}
          </td>
          <td className="py-2 text-neutral-300">
            {v.reasons.length > 0 && (
              <span className="mr-2 inline-flex flex-wrap gap-1">
                {v.reasons.map((tag) => (
                  <span key={tag} className="rounded border border-neutral-700 px-1.5 text-xs text-neutral-300">
                    {reasonLabel(tag)}
                  </span>
                ))}
              </span>
            )}
            {v.comment && <span className="text-neutral-300">“{v.comment}”</span>}
            {v.kind === 'gold' && v.goldExpected && <span className="ml-2 text-xs text-neutral-500">expected {v.goldExpected}</span>}
            {v.undone && v.undoneAt !== null && (
              <span className="ml-2 inline-block text-xs text-neutral-500 no-underline">
                undone <LocalTime at={v.undoneAt} />
              </span>
            )}
            {!v.reasons.length && !v.comment && !v.undone && v.kind !== 'gold' && <span className="text-neutral-600">–</span>}
          </td>
        </Row>
      ))}
    </Table>
  );
}
