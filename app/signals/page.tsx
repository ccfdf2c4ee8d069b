import Link from 'next/link';
import { DataTable, Figure } from '@/components/dashboard/Figure';
import { number, percent, rateWithInterval } from '@/components/dashboard/format';
import { ComputeSignalsButton } from '@/components/dashboard/ComputeSignalsButton';
import { BucketChart, RocChart } from '@/components/dashboard/SignalCharts';
import { Button } from '@/components/ui/Button';
import { EmptyState } from '@/components/ui/EmptyState';
import { Select } from '@/components/ui/Select';
import { Stat } from '@/components/ui/Stat';
import { getDb } from '@/db';
import { requirePage } from '@/lib/auth/page';
import { signalNames, signalVsHuman } from '@/lib/dashboard/queries';
import { signalReading } from '@/lib/dashboard/reading';
import { listDatasets } from '@/lib/datasets';
import { parseId } from '@/lib/http/params';

export const dynamic = 'force-dynamic';

type Search = Record<string, string | string[] | undefined>;
const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value) || undefined;
const value = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 3 });

/** What each signal Loupe computes measures, for the picker's page. */
const DESCRIPTIONS: Record<string, string> = {
  judge_overall: 'the VLM judge’s overall score (0–10)',
  judge_sc: 'the VLM judge’s semantic consistency score: does the edit follow the instruction (0–10)',
  judge_pq: 'the VLM judge’s perceptual quality score (0–10)',
  ssim: 'structural similarity of the edited image to the source (1: identical)',
  changed_fraction: 'share of pixels the edit changed',
  padding_residual: 'leftover padding at the edges of a regenerated image',
  dup_source: 'size of the near-duplicate group of the source image',
  dup_edit: 'size of the near-duplicate group of the edited image',
};

export default async function SignalsPage({ searchParams }: { searchParams: Promise<Search> }) {
  await requirePage('adjudicate', '/signals');
  const db = getDb();
  const datasets = listDatasets(db);
  const search = await searchParams;
  // Default: the first dataset with any signal (one index seek each).
  const dataset =
    datasets.find((d) => d.id === parseId(first(search.dataset))) ?? datasets.find((d) => signalNames(db, d.id).length > 0) ?? datasets[0];
  const names = dataset ? signalNames(db, dataset.id) : [];
  const requested = first(search.signal);
  const signal = names.find((n) => n === requested) ?? (names.includes('judge_overall') ? 'judge_overall' : names[0]);
  const result = dataset && signal ? signalVsHuman(db, { datasetId: dataset.id, signal }) : null;

  return (
    <div className="mx-auto w-full max-w-6xl px-6 py-8">
      <div className="flex flex-wrap items-baseline gap-4">
        <h1 className="text-xl font-semibold text-neutral-100">Signals against human decisions</h1>
        {dataset && (
          <form method="get" className="ml-auto flex items-center gap-3 text-sm">
            <Select name="dataset" defaultValue={dataset.id} aria-label="Dataset">
              {datasets.map((d) => (
                <option key={d.id} value={d.id}>
                  {d.name}
                </option>
              ))}
            </Select>
            {names.length > 0 && (
              <Select name="signal" defaultValue={signal} aria-label="Signal">
                {names.map((n) => (
                  <option key={n} value={n}>
                    {n}
                  </option>
                ))}
              </Select>
            )}
            <Button type="submit">Show</Button>
          </form>
        )}
      </div>
      <p className="mt-2 text-sm text-neutral-400">
        Items reviewers accepted or rejected, scored by an automatic signal on the edit they decided on: would ranking or filtering by the
        signal agree with them?{' '}
        <Link
          href={dataset ? `/dashboard?dataset=${dataset.id}` : '/dashboard'}
          className="text-neutral-300 underline underline-offset-2 hover:text-white"
        >
          Dashboard →
        </Link>
      </p>

      {!dataset ? (
        <EmptyState className="mt-6" message="No datasets yet." />
      ) : !result ? (
        <EmptyState
          className="mt-6"
          testId="signals-empty"
          message={
            <>
              No signals computed for {dataset.name} yet. Compute its pixel signals (SSIM, changed fraction, padding: local, no cost); the
              judge’s scores come from a judge batch on the{' '}
              <Link href={`/datasets/${dataset.id}`} className="text-neutral-200 underline hover:text-white">
                dataset page
              </Link>
              .
            </>
          }
          action={<ComputeSignalsButton datasetId={dataset.id} />}
        />
      ) : (
        <>
          <p className="mt-6 text-sm text-neutral-300">
            <span className="font-medium text-neutral-100">{result.signal}</span>
            {DESCRIPTIONS[result.signal] && <span className="text-neutral-400">: {DESCRIPTIONS[result.signal]}</span>}
          </p>
          <div className="mt-4 grid gap-4 sm:grid-cols-3" data-testid="signal-stats">
            <Stat
              label="ROC AUC (95% CI)"
              value={result.auc ? result.auc.auc.toFixed(3) : '–'}
              note={result.auc ? `${result.auc.low.toFixed(3)} – ${result.auc.high.toFixed(3)}` : 'needs accepted and rejected items'}
            />
            <Stat
              label="Decided items with the signal"
              value={number.format(result.n)}
              note={`${number.format(result.accepted)} accepted · ${number.format(result.rejected)} rejected`}
            />
            <Stat
              label="Accept rate among them"
              value={percent(result.n ? result.accepted / result.n : null, 1)}
              note={
                result.sampled
                  ? `a sample: items hashed to ${percent(result.sampleFraction, 1)} of ${number.format(result.signalRows)} signal rows`
                  : `all ${number.format(result.signalRows)} signal rows read`
              }
            />
          </div>
          <div className="mt-4 space-y-1 text-sm text-neutral-300" data-testid="signal-reading">
            {signalReading(result).map((line) => (
              <p key={line}>{line}</p>
            ))}
          </div>

          {result.auc && (
            <div className="mt-8 grid gap-4 lg:grid-cols-2">
              <Figure
                title={`ROC curve · AUC ${result.auc.auc.toFixed(3)} ± ${(1.96 * result.auc.se).toFixed(3)}`}
                testId="roc-chart"
                summary={`ROC curve of ${result.signal} for predicting accept: AUC ${result.auc.auc.toFixed(3)}, 95% interval ${result.auc.low.toFixed(3)} to ${result.auc.high.toFixed(3)}. The dashed diagonal is chance.`}
                table={
                  <DataTable
                    head={['Threshold (≥)', 'Accepted above', 'Rejected above']}
                    rows={result.roc.map((p) => [
                      p.threshold === null ? '—' : value.format(p.threshold),
                      percent(p.tpr, 1),
                      percent(p.fpr, 1),
                    ])}
                  />
                }
              >
                <RocChart roc={result.roc} signal={result.signal} />
              </Figure>
              <Figure
                title="Accept rate per score bucket (95% CI)"
                testId="bucket-chart"
                summary={`Accept rate per ${result.signal} bucket: ${result.buckets
                  .filter((b) => b.n > 0)
                  .map((b) => `${value.format(b.from)} to ${value.format(b.to)}: ${percent(b.rate, 0)} of ${b.n}`)
                  .join('; ')}.`}
                table={
                  <DataTable
                    head={['Score', 'Items', 'Accepted', 'Accept rate (95% CI)']}
                    rows={result.buckets.map((b) => [
                      `${value.format(b.from)} – ${value.format(b.to)}`,
                      number.format(b.n),
                      number.format(b.positives),
                      b.rate === null ? '–' : rateWithInterval({ estimate: b.rate, low: b.low!, high: b.high! }, 1),
                    ])}
                  />
                }
              >
                <BucketChart buckets={result.buckets} />
              </Figure>
            </div>
          )}
          <p className="mt-4 text-xs text-neutral-500">
            Buckets:{' '}
            {result.signal.startsWith('judge_') ? 'the judge’s 0–10 scale in steps of 1' : '10 of equal width over the observed range'}; the
            last one includes its upper edge. AUC interval: Hanley &amp; McNeil’s normal approximation.
            {result.sampled &&
              ` Computed on a hash sample of items (${number.format(result.n)} pairs) to bound the time; the figures estimate the whole.`}
          </p>
        </>
      )}
    </div>
  );
}
