import type { Tally } from '@/lib/agreement/annotators';
import type { NamedAnnotatorStats } from '@/lib/team/stats';
import { Row, Table } from '@/components/ui/Table';
import { number, percent } from './format';

/** Figures: right-aligned, with the same gap as their cells. */
const figure = { className: 'pr-4', align: 'right' } as const;
const COLUMNS = [
  { header: 'Annotator', className: 'pr-4' },
  { header: 'Items', ...figure },
  { header: 'Verdicts / h', title: 'Verdicts per hour of active time (pauses over 10 minutes do not count)', ...figure },
  { header: 'Median s / item', title: 'Median time on the item, as the review page measured it', ...figure },
  { header: 'Accept rate', ...figure },
  { header: 'Adjudicated agreement', title: "Verdicts on adjudicated items that match the lead's decision", ...figure },
  { header: 'Gold accuracy', title: 'Answers on gold items that match the expected verdict', ...figure },
];

const rateFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });
const seconds = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1, minimumFractionDigits: 1 });

function Rate({ tally, hits }: { tally: Tally; hits: number }) {
  if (tally.total === 0) return <span className="text-neutral-500">–</span>;
  return (
    <>
      <span className="text-neutral-100">{percent(tally.rate)}</span>{' '}
      <span className="text-xs text-neutral-500">
        {number.format(hits)}/{number.format(tally.total)}
      </span>
    </>
  );
}

/** Per-annotator throughput and quality, one row each. */
export function AnnotatorTable({ annotators }: { annotators: NamedAnnotatorStats[] }) {
  const cell = 'py-2 pr-4 text-right tabular-nums';
  return (
    <Table testId="annotator-table" columns={COLUMNS}>
      {annotators.map((a) => (
        <Row key={a.reviewerId} data-testid="annotator-row">
          <td className="py-2 pr-4 text-neutral-100">{a.reviewer}</td>
          <td className={cell}>{number.format(a.items)}</td>
          <td className={cell}>{a.verdictsPerHour === null ? '–' : rateFormat.format(a.verdictsPerHour)}</td>
          <td className={cell}>{a.medianMsPerItem === null ? '–' : seconds.format(a.medianMsPerItem / 1000)}</td>
          <td className={cell}>{percent(a.acceptRate)}</td>
          <td className={cell}>
            <Rate tally={a.adjudicatedAgreement} hits={a.adjudicatedAgreement.agreed} />
          </td>
          <td className={cell}>
            <Rate tally={a.goldAccuracy} hits={a.goldAccuracy.correct} />
          </td>
        </Row>
      ))}
    </Table>
  );
}
