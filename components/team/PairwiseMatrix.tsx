import type { PairAgreement } from '@/lib/agreement/stats';
import { EmptyState } from '@/components/ui/EmptyState';
import { coefficient, interval, kappaBand, percent } from './format';

/** A calm fill: emerald for agreement beyond chance, rose below it, stronger with |kappa|. */
function fill(kappa: number | null): string | undefined {
  if (kappa === null) return undefined;
  const strength = Math.min(1, Math.abs(kappa));
  return kappa >= 0 ? `rgba(16, 185, 129, ${0.06 + 0.5 * strength})` : `rgba(244, 63, 94, ${0.1 + 0.4 * strength})`;
}

function describe(pair: PairAgreement): string {
  const head = `${pair.a} × ${pair.b}: ${pair.n} shared items, ${percent(pair.agreement)} same verdict`;
  if (pair.kappa === null) return `${head}; kappa undefined (both gave one and the same label throughout)`;
  return `${head}; Cohen's kappa ${coefficient(pair.kappa)} (${kappaBand(pair.kappa)}), 95% CI ${interval(pair.ci, coefficient)}`;
}

/** Cohen's kappa for every pair of reviewers who share items, as a symmetric rater × rater grid. */
export function PairwiseMatrix({ pairs }: { pairs: PairAgreement[] }) {
  const raters = [...new Set(pairs.flatMap((p) => [p.a, p.b]))].sort();
  const byPair = new Map(pairs.flatMap((p) => [[`${p.a}\n${p.b}`, p] as const, [`${p.b}\n${p.a}`, p] as const]));
  if (raters.length === 0) return <EmptyState look="inline" message="No two reviewers share an item yet." />;

  return (
    <div className="overflow-x-auto">
      <table className="border-separate border-spacing-1 text-sm" data-testid="pairwise-matrix">
        <thead>
          <tr>
            <th />
            {raters.map((r) => (
              <th key={r} scope="col" className="max-w-24 truncate px-1 pb-1 text-center text-xs font-normal text-neutral-400" title={r}>
                {r}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {raters.map((row) => (
            <tr key={row}>
              <th scope="row" className="max-w-32 truncate pr-3 text-right text-xs font-normal text-neutral-400" title={row}>
                {row}
              </th>
              {raters.map((column) => {
                if (row === column) return <td key={column} className="size-14 rounded bg-neutral-900/60" aria-hidden="true" />;
                const pair = byPair.get(`${row}\n${column}`);
                if (!pair) {
                  return (
                    <td
                      key={column}
                      className="size-14 rounded border border-dashed border-neutral-800 text-center text-neutral-500"
                      title={`${row} × ${column}: no shared items`}
                    >
                      ·
                    </td>
                  );
                }
                return (
                  <td
                    key={column}
                    title={describe(pair)}
                    style={{ background: fill(pair.kappa) }}
                    className={`size-14 rounded text-center tabular-nums ${pair.kappa === null ? 'border border-neutral-800 text-neutral-500' : 'text-neutral-100'}`}
                  >
                    <div>{coefficient(pair.kappa)}</div>
                    <div className="text-[10px] text-neutral-400">n {pair.n}</div>
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      <p className="mt-2 text-xs text-neutral-500">
        Cohen&apos;s kappa on the items both reviewers judged; hover a cell for its interval and agreement. Green: agreement beyond chance;
        red: below chance; – undefined.
      </p>
    </div>
  );
}
