import Link from 'next/link';
import { LocalTime } from '@/components/item/LocalTime';
import { StartKey } from '@/components/item/StartKey';
import { EmptyState } from '@/components/ui/EmptyState';
import { Row, Table } from '@/components/ui/Table';
import { getDb } from '@/db';
import { requirePage } from '@/lib/auth/page';
import { disputedCounts, listDisputed } from '@/lib/review/adjudication';
import { parseId } from '@/lib/http/params';

export const dynamic = 'force-dynamic';

const PAGE_SIZE = 50;
const number = new Intl.NumberFormat('en-US');

type Search = Record<string, string | string[] | undefined>;
const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value) || undefined;

/** The adjudication queue: disputed items (all, or one dataset's), oldest id first, keyset-paged. */
export default async function AdjudicatePage({ searchParams }: { searchParams: Promise<Search> }) {
  const search = await searchParams;
  const datasetId = parseId(first(search.dataset));
  const after = parseId(first(search.after));
  const self = new URLSearchParams();
  if (datasetId) self.set('dataset', String(datasetId));
  if (after) self.set('after', String(after));
  await requirePage('adjudicate', `/adjudicate${self.size ? `?${self}` : ''}`);

  const db = getDb();
  const counts = disputedCounts(db);
  const total = counts.reduce((sum, c) => sum + c.disputed, 0);
  const scoped = datasetId ? counts.find((c) => c.datasetId === datasetId) : undefined;
  const page = listDisputed(db, { datasetId, after, limit: PAGE_SIZE });
  const scope = datasetId ? `&dataset=${datasetId}` : '';
  const itemHref = (id: number) => `/items/${id}?from=adjudicate${scope}`;
  const listHref = (extra: { dataset?: number; after?: number }) => {
    const params = new URLSearchParams();
    if (extra.dataset) params.set('dataset', String(extra.dataset));
    if (extra.after) params.set('after', String(extra.after));
    return params.size ? `/adjudicate?${params}` : '/adjudicate';
  };
  const chip = (active: boolean) =>
    `rounded-md border px-2.5 py-1 text-sm ${
      active
        ? 'border-neutral-500 bg-neutral-800 text-neutral-100'
        : 'border-neutral-800 text-neutral-400 hover:border-neutral-600 hover:text-neutral-200'
    }`;

  return (
    <div className="mx-auto w-full max-w-6xl px-6 py-8">
      <div className="mb-5 flex items-baseline gap-4">
        <h1 className="text-xl font-semibold text-neutral-100">Adjudication</h1>
        <span className="text-sm tabular-nums text-neutral-400" data-testid="disputed-total">
          {number.format(scoped ? scoped.disputed : total)} disputed {scoped ? `in ${scoped.name}` : 'items'}
        </span>
        <span className="ml-auto" />
        {page.items.length > 0 && <StartKey href={itemHref(page.items[0].id)} label={after ? 'Open the first on this page' : 'Start'} />}
      </div>

      <p className="mb-4 max-w-3xl text-sm text-neutral-500">
        Items whose review verdicts disagree wait here for a lead. Each decision opens the next disputed item.
      </p>

      <nav className="mb-5 flex flex-wrap gap-2" aria-label="Datasets" data-testid="disputed-datasets">
        <Link href="/adjudicate" className={chip(!datasetId)}>
          All datasets <span className="ml-1 tabular-nums text-neutral-500">{number.format(total)}</span>
        </Link>
        {counts.map((c) => (
          <Link key={c.datasetId} href={listHref({ dataset: c.datasetId })} className={chip(c.datasetId === datasetId)}>
            {c.name}{' '}
            <span className={`ml-1 tabular-nums ${c.disputed ? 'text-amber-300/90' : 'text-neutral-500'}`}>
              {number.format(c.disputed)}
            </span>
          </Link>
        ))}
      </nav>

      <Table
        fixed
        testId="disputed-table"
        columns={[
          { header: 'Item', className: 'w-20' },
          !datasetId && { header: 'Dataset', className: 'w-36' },
          { header: 'Family / task', className: 'w-52' },
          'Instruction',
          { header: 'Verdicts', className: 'w-40' },
          { header: 'Last verdict', className: 'w-44' },
        ]}
      >
        {page.items.map((row) => (
          <Row key={row.id} className="group hover:bg-neutral-900/60" data-testid="disputed-row">
            <td className="py-2 pr-4">
              <Link href={itemHref(row.id)} className="font-mono text-neutral-200 underline-offset-2 group-hover:underline">
                {row.id}
              </Link>
            </td>
            {!datasetId && <td className="truncate py-2 pr-4 text-neutral-400">{row.datasetName}</td>}
            <td className="truncate py-2 pr-4">
              <span className="text-neutral-500">{row.family} /</span> {row.task}
            </td>
            <td className="truncate py-2 pr-4 text-neutral-200" title={row.instruction}>
              <Link href={itemHref(row.id)}>{row.instruction}</Link>
            </td>
            <td className="py-2 pr-4">
              <VerdictSplit accepts={row.accepts} rejects={row.rejects} />
            </td>
            <td className="whitespace-nowrap py-2 tabular-nums text-neutral-500">
              {row.lastVerdictAt ? <LocalTime at={row.lastVerdictAt} /> : '–'}
            </td>
          </Row>
        ))}
      </Table>
      {page.items.length === 0 && (
        <EmptyState
          look="table"
          testId="adjudicate-empty"
          message={
            after
              ? 'No more disputed items.'
              : 'Nothing to adjudicate: no disputed items here. Items are disputed when their reviewers disagree, which needs an overlap of 2 or more.'
          }
          action={
            !after && (
              <Link
                href={`/team${datasetId ? `?dataset=${datasetId}` : ''}#review-settings`}
                className="text-sky-300 underline underline-offset-2 hover:text-sky-200"
              >
                Set overlap →
              </Link>
            )
          }
        />
      )}

      <div className="mt-4 flex gap-4 text-sm">
        {after && (
          <Link href={listHref({ dataset: datasetId })} className="text-neutral-400 hover:text-neutral-100">
            ← First page
          </Link>
        )}
        {page.next && (
          <Link
            href={listHref({ dataset: datasetId, after: page.next })}
            className="ml-auto text-neutral-400 hover:text-neutral-100"
            data-testid="next-page"
          >
            Next page →
          </Link>
        )}
      </div>
    </div>
  );
}

/** Accepts against rejects, as counts and a small bar. */
function VerdictSplit({ accepts, rejects }: { accepts: number; rejects: number }) {
  const total = accepts + rejects || 1;
  return (
    <div className="flex items-center gap-2">
      <span className="flex h-1.5 w-16 overflow-hidden rounded-full bg-neutral-800">
        <span className="bg-emerald-500/80" style={{ width: `${(100 * accepts) / total}%` }} />
        <span className="bg-rose-500/80" style={{ width: `${(100 * rejects) / total}%` }} />
      </span>
      <span className="tabular-nums text-xs text-neutral-400">
        <span className="text-emerald-300">{accepts}</span> / <span className="text-rose-300">{rejects}</span>
      </span>
    </div>
  );
}
