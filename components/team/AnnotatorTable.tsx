import type { Tally } from '@/lib/agreement/annotators';
import type { NamedAnnotatorStats } from '@/lib/team/stats';
import { number, percent } from './format';

const rateFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });
const seconds = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1, minimumFractionDigits: 1 });

function Rate({ tally, hits }: { tally: Tally; hits: number }) {
  if (tally.total === 0) return <span className="text-neutral-600">–</span>;
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
  const head = 'py-2 pr-4 font-normal';
  const cell = 'py-2 pr-4 text-right tabular-nums';
  return (
    <table className="w-full text-sm" data-testid="annotator-table">
      <thead className="text-xs uppercase tracking-wide text-neutral-500">
        <tr className="border-b border-neutral-800">
          <th className={`${head} text-left`}>Annotator</th>
          <th className={`${head} text-right`}>Items</th>
          <th className={`${head} text-right`} title="Verdicts per hour of active time (pauses over 10 minutes do not count)">
            Verdicts / h
          </th>
          <th className={`${head} text-right`} title="Median time on the item, as the review page measured it">
            Median s / item
          </th>
          <th className={`${head} text-right`}>Accept rate</th>
          <th className={`${head} text-right`} title="Verdicts on adjudicated items that match the lead's decision">
            Adjudicated agreement
          </th>
          <th className={`${head} text-right`} title="Answers on gold items that match the expected verdict">
            Gold accuracy
          </th>
        </tr>
      </thead>
      <tbody>
        {annotators.map((a) => (
          <tr key={a.reviewerId} data-testid="annotator-row" className="border-b border-neutral-800/60">
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
          </tr>
        ))}
      </tbody>
    </table>
  );
}
