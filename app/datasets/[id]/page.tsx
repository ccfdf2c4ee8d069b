import Link from 'next/link';
import { notFound } from 'next/navigation';
import { z } from 'zod';
import { BatchForm } from '@/components/BatchForm';
import { buttonClass, Button } from '@/components/ui/Button';
import { EmptyState } from '@/components/ui/EmptyState';
import { Input } from '@/components/ui/Input';
import { Select } from '@/components/ui/Select';
import { Row, Table } from '@/components/ui/Table';
import { getDb } from '@/db';
import { requirePage } from '@/lib/auth/page';
import { can } from '@/lib/auth/roles';
import type { ItemStatus } from '@/db/schema';
import { summarizeDatasets } from '@/lib/datasets/summary';
import { exportHref, filterInputFromParams, filterToParams, reviewHref, URL_PARAMS } from '@/lib/filter/filter-codec';
import { listFilterSchema, SCORE_NAMES, SIGNAL_NAMES, type ListFilter } from '@/lib/filter/filter';
import { listItems, showDecided, type DecidedListRow, type ItemCursor } from '@/lib/review/items';
import { queueProgress } from '@/lib/review/queue';
import { parseId } from '@/lib/http/params';

export const dynamic = 'force-dynamic';

const PAGE_SIZE = 50;
const number = new Intl.NumberFormat('en-US');

type Search = Record<string, string | string[] | undefined>;
const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value) || undefined;

/** A date input's value for a moment in ms (the links carry ms; the form sends dates). */
const dayOf = (ms: number | undefined) => (ms === undefined ? '' : new Date(ms).toISOString().slice(0, 10));

const cursorSchema = z.union([
  z.object({ family: z.string(), task: z.string(), id: z.number().int() }),
  z.object({ score: z.number(), id: z.number().int() }),
]);
const encodeCursor = (cursor: ItemCursor) => Buffer.from(JSON.stringify(cursor)).toString('base64url');
function decodeCursor(value: string | undefined): ItemCursor | undefined {
  if (!value) return undefined;
  try {
    return cursorSchema.parse(JSON.parse(Buffer.from(value, 'base64url').toString()));
  } catch {
    return undefined;
  }
}

const STATUS_STYLE: Record<ItemStatus, string> = {
  pending: 'text-neutral-400 bg-neutral-800',
  accepted: 'text-emerald-300 bg-emerald-500/15',
  rejected: 'text-rose-300 bg-rose-500/15',
  disputed: 'text-amber-300 bg-amber-500/15',
};

export default async function DatasetPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<Search> }) {
  const { id } = await params;
  const user = await requirePage('view', `/datasets/${encodeURIComponent(id)}`);
  // Batches and exports need the manage permission; reviewing needs review.
  const canManage = can(user.roles, 'manage');
  const canReview = can(user.roles, 'review');
  // Item statuses and who decided what are for leads: an annotator must not learn others'
  // verdicts, nor which items are gold (decided items mixed into the queue).
  const seesVerdicts = can(user.roles, 'adjudicate');
  const db = getDb();
  const datasetId = parseId(id) ?? 0; // 0 names no dataset: not found
  const dataset = summarizeDatasets(db).find((d) => d.id === datasetId);
  if (!dataset) notFound();
  const search = await searchParams;
  // The shared filter (lib/filter/filter.ts), read by its one URL codec: the same terms drive batches and exports.
  const terms = filterInputFromParams(search);
  const parsed = listFilterSchema.safeParse({
    ...terms,
    datasetId,
    ...(seesVerdicts ? {} : { status: undefined, reviewer: undefined, from: undefined, to: undefined }),
  });
  const filter: ListFilter = parsed.success ? parsed.data : { datasetId };
  const problem = parsed.success ? undefined : parsed.error.issues.map((i) => `${i.path.join('.') || 'filter'}: ${i.message}`).join('; ');
  const { status } = filter;
  const cursor = decodeCursor(first(search.after));
  const listed = listItems(db, filter, cursor, PAGE_SIZE);
  // Leads see decided items as they were decided: the instruction the deciding verdict chose.
  const rows: DecidedListRow<(typeof listed.rows)[number]>[] = seesVerdicts ? showDecided(db, listed.rows) : listed.rows;
  const page = { ...listed, rows };
  // The queue understands dataset, family, task and instruction type only.
  const queueFilter = { datasetId, family: filter.family, task: filter.task, instructionType: filter.instructionType };
  const progress = queueProgress(db, queueFilter);
  const { sort: _sort, status: _status, ...batchFilter } = filter;

  const query = (extra: Record<string, string | undefined>) => {
    const params = filterToParams({ ...filter, datasetId: undefined });
    for (const [key, value] of Object.entries(extra)) if (value) params.set(key, value);
    return `/datasets/${datasetId}?${params}`;
  };
  const reviewLink = reviewHref(filter);
  // The exports page starts a browser export with this same selection.
  const exportLink = exportHref(filter);

  return (
    <div className="mx-auto w-full max-w-6xl px-6 py-8">
      <div className="mb-6 flex items-baseline gap-4">
        <h1 className="text-xl font-semibold text-neutral-100">{dataset.name}</h1>
        <span className="text-sm tabular-nums text-neutral-400">
          {number.format(progress.reviewed)} / {number.format(progress.total)} reviewed in this view
        </span>
        <span className="ml-auto" />
        {canManage && (
          <Link href={exportLink} className={buttonClass({ variant: 'ghost', size: 'md' })}>
            Export these
          </Link>
        )}
        {canReview && (
          <Link href={reviewLink} className={buttonClass({ variant: 'primary', size: 'md' })}>
            Review these
          </Link>
        )}
      </div>

      <form method="get" className="mb-4 flex flex-wrap items-center gap-3 text-sm">
        <Select
          name={URL_PARAMS.task}
          defaultValue={filter.family ? `${filter.family}/${filter.task ?? ''}` : ''}
          aria-label="Family and task"
        >
          <option value="">All families and tasks</option>
          {[...new Set(dataset.tasks.map((t) => t.family))].map((f) => (
            <optgroup key={f} label={f}>
              <option value={`${f}/`}>{f}: all tasks</option>
              {dataset.tasks
                .filter((t) => t.family === f)
                .map((t) => (
                  <option key={t.task} value={`${f}/${t.task}`}>
                    {f} / {t.task} ({number.format(t.total)})
                  </option>
                ))}
            </optgroup>
          ))}
        </Select>
        <Select name={URL_PARAMS.instructionType} defaultValue={filter.instructionType ?? ''} aria-label="Instruction type">
          <option value="">All instruction types</option>
          <option value="original">original</option>
          <option value="rewrite">rewrite</option>
          <option value="complex">complex</option>
        </Select>
        {seesVerdicts && (
          <>
            <Select name={URL_PARAMS.status} defaultValue={status ?? ''} aria-label="Status">
              <option value="">Any status</option>
              <option value="pending">pending</option>
              <option value="accepted">accepted</option>
              <option value="rejected">rejected</option>
              <option value="disputed">disputed</option>
            </Select>
            <Input
              name={URL_PARAMS.reviewer}
              defaultValue={terms.reviewer ?? ''}
              placeholder="Verdict by"
              aria-label="Verdict reviewer"
              className="w-28"
            />
            <label className="flex items-center gap-1 text-neutral-500">
              verdict from
              <Input type="date" name={URL_PARAMS.from} defaultValue={dayOf(filter.from)} aria-label="Verdict from" />
              to
              <Input type="date" name={URL_PARAMS.to} defaultValue={dayOf(filter.to)} aria-label="Verdict to" />
            </label>
          </>
        )}
        <Input
          name={URL_PARAMS.text}
          defaultValue={terms.text ?? ''}
          placeholder="Instruction contains"
          aria-label="Instruction text"
          className="w-44"
        />
        <Select name={URL_PARAMS.origin} defaultValue={filter.origin ?? ''} aria-label="Edited image origin">
          <option value="">Any edited image</option>
          <option value="dataset">from the dataset</option>
          <option value="regenerated">regenerated</option>
        </Select>
        <Select name={URL_PARAMS.score} defaultValue={filter.score ?? ''} aria-label="Score">
          <option value="">No score</option>
          {SCORE_NAMES.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </Select>
        <Input
          name={URL_PARAMS.scoreMin}
          type="number"
          step="any"
          defaultValue={terms.scoreMin ?? ''}
          placeholder="min"
          aria-label="Score min"
          className="w-20"
        />
        <Input
          name={URL_PARAMS.scoreMax}
          type="number"
          step="any"
          defaultValue={terms.scoreMax ?? ''}
          placeholder="max"
          aria-label="Score max"
          className="w-20"
        />
        <Select
          name={URL_PARAMS.signal}
          defaultValue={filter.signal ?? ''}
          aria-label="Signal"
          title="Signals Loupe computed for the current edited image"
        >
          <option value="">No signal</option>
          {SIGNAL_NAMES.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </Select>
        <Input
          name={URL_PARAMS.signalMin}
          type="number"
          step="any"
          defaultValue={terms.signalMin ?? ''}
          placeholder="min"
          aria-label="Signal min"
          className="w-20"
        />
        <Input
          name={URL_PARAMS.signalMax}
          type="number"
          step="any"
          defaultValue={terms.signalMax ?? ''}
          placeholder="max"
          aria-label="Signal max"
          className="w-20"
        />
        <Select
          name={URL_PARAMS.sort}
          defaultValue={filter.sort ?? ''}
          aria-label="Sort"
          title="Sorting by a signal (or else the score) lists only the items that have it"
        >
          <option value="">Family / task order</option>
          <option value="desc">signal or score, highest first</option>
          <option value="asc">signal or score, lowest first</option>
        </Select>
        <Button type="submit">Apply</Button>
      </form>
      {problem && (
        <p className="mb-4 text-sm text-rose-300" role="alert">
          Filter not applied: {problem}
        </p>
      )}

      {canManage && <BatchForm filter={batchFilter} status={status} />}

      <Table
        fixed
        testId="items-table"
        columns={[
          { header: 'Id', className: 'w-60' },
          { header: 'Family / task', className: 'w-64' },
          { header: 'Type', className: 'w-24' },
          seesVerdicts && { header: 'Status', className: 'w-24' },
          filter.score && { header: filter.score, className: 'w-24' },
          filter.signal && { header: filter.signal, className: 'w-28' },
          'Instruction',
        ]}
      >
        {page.rows.map((row) => (
          <Row key={row.id}>
            <td className="truncate py-2 pr-4 font-mono text-xs text-neutral-400" title={row.externalId}>
              {seesVerdicts ? (
                <Link href={`/items/${row.id}`} className="hover:text-neutral-100 hover:underline">
                  {row.externalId}
                </Link>
              ) : (
                row.externalId
              )}
            </td>
            <td className="truncate py-2 pr-4">
              <span className="text-neutral-500">{row.family} /</span> {row.task}
            </td>
            <td className="py-2 pr-4 text-neutral-400">{row.instructionType}</td>
            {seesVerdicts && (
              <td className="py-2 pr-4">
                <span className={`rounded px-1.5 py-0.5 text-xs ${STATUS_STYLE[row.status]}`}>{row.status}</span>
              </td>
            )}
            {filter.score && <td className="py-2 pr-4 tabular-nums text-neutral-400">{row.score ?? '–'}</td>}
            {filter.signal && (
              <td className="py-2 pr-4 tabular-nums text-neutral-400">{row.signal == null ? '–' : Number(row.signal.toFixed(3))}</td>
            )}
            <td className="truncate py-2 text-neutral-200" title={row.instruction} data-testid="item-row-instruction">
              {row.decided && (row.decided.newerCandidate || row.decided.newerInstruction) && (
                <span
                  className="mr-2 rounded bg-amber-500/15 px-1.5 py-0.5 text-xs text-amber-300"
                  title="An edit or instruction was made after the decision (nobody decided on it); the decided one is shown and exported"
                  data-testid="item-row-newer"
                >
                  {row.decided.newerCandidate ? 'other edit since' : 'other instruction since'}
                </span>
              )}
              {row.instruction}
            </td>
          </Row>
        ))}
      </Table>
      {page.rows.length === 0 && <EmptyState look="table" message="No items match these filters." />}

      <div className="mt-4 flex gap-4 text-sm">
        {cursor && (
          <Link href={query({ after: undefined })} className="text-neutral-400 hover:text-neutral-100">
            ← First page
          </Link>
        )}
        {page.next && (
          <Link href={query({ after: encodeCursor(page.next) })} className="ml-auto text-neutral-400 hover:text-neutral-100">
            Next page →
          </Link>
        )}
      </div>
    </div>
  );
}
