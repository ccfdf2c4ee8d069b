import Link from 'next/link';
import { notFound } from 'next/navigation';
import { z } from 'zod';
import { BatchForm } from '@/components/BatchForm';
import { getDb } from '@/db';
import type { ItemStatus } from '@/db/schema';
import { summarizeDatasets } from '@/lib/datasets/summary';
import { itemFilterSchema } from '@/lib/review/filter';
import { listItems, type ItemCursor } from '@/lib/review/items';
import { queueProgress } from '@/lib/review/queue';

export const dynamic = 'force-dynamic';

const PAGE_SIZE = 50;
const number = new Intl.NumberFormat('en-US');

type Search = Record<string, string | string[] | undefined>;
const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value) || undefined;

const cursorSchema = z.object({ family: z.string(), task: z.string(), id: z.number().int() });
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
};

export default async function DatasetPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Search>;
}) {
  const db = getDb();
  const datasetId = Number((await params).id);
  const dataset = summarizeDatasets(db).find((d) => d.id === datasetId);
  if (!dataset) notFound();
  const search = await searchParams;
  const [family, task] = (first(search.task) ?? '').split('/');
  const parsed = itemFilterSchema.safeParse({
    datasetId,
    family: family || undefined,
    task: task || undefined,
    instructionType: first(search.type),
  });
  const filter = parsed.success ? parsed.data : { datasetId };
  const statusParam = first(search.status);
  const status = (['pending', 'accepted', 'rejected'] as const).find((s) => s === statusParam);
  const cursor = decodeCursor(first(search.after));
  const page = listItems(db, { ...filter, status }, cursor, PAGE_SIZE);
  const progress = queueProgress(db, filter);

  const query = (extra: Record<string, string | undefined>) => {
    const params = new URLSearchParams();
    const values = { task: first(search.task), type: filter.instructionType, status, ...extra };
    for (const [key, value] of Object.entries(values)) if (value) params.set(key, value);
    return `/datasets/${datasetId}?${params}`;
  };
  const reviewHref = `/review?dataset=${datasetId}${filter.family ? `&family=${encodeURIComponent(filter.family)}` : ''}${
    filter.task ? `&task=${encodeURIComponent(filter.task)}` : ''
  }${filter.instructionType ? `&type=${filter.instructionType}` : ''}`;

  return (
    <div className="mx-auto w-full max-w-6xl px-6 py-8">
      <div className="mb-6 flex items-baseline gap-4">
        <h1 className="text-xl font-semibold text-neutral-100">{dataset.name}</h1>
        <span className="text-sm tabular-nums text-neutral-400">
          {number.format(progress.reviewed)} / {number.format(progress.total)} reviewed in this view
        </span>
        <Link
          href={reviewHref}
          className="ml-auto rounded-md bg-neutral-100 px-3 py-1.5 text-sm font-medium text-neutral-900 hover:bg-white"
        >
          Review these
        </Link>
      </div>

      <form method="get" className="mb-4 flex flex-wrap items-center gap-3 text-sm">
        <select name="task" defaultValue={first(search.task) ?? ''} aria-label="Family and task" className="rounded-md border border-neutral-800 bg-neutral-900 px-2 py-1">
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
        </select>
        <select name="type" defaultValue={filter.instructionType ?? ''} aria-label="Instruction type" className="rounded-md border border-neutral-800 bg-neutral-900 px-2 py-1">
          <option value="">All instruction types</option>
          <option value="original">original</option>
          <option value="rewrite">rewrite</option>
          <option value="complex">complex</option>
        </select>
        <select name="status" defaultValue={status ?? ''} aria-label="Status" className="rounded-md border border-neutral-800 bg-neutral-900 px-2 py-1">
          <option value="">Any status</option>
          <option value="pending">pending</option>
          <option value="accepted">accepted</option>
          <option value="rejected">rejected</option>
        </select>
        <button className="rounded-md border border-neutral-700 px-3 py-1 text-neutral-200 hover:bg-neutral-800">Apply</button>
      </form>

      <BatchForm filter={filter} status={status} />

      <table className="w-full table-fixed text-sm" data-testid="items-table">
        <thead className="text-left text-xs uppercase tracking-wide text-neutral-500">
          <tr className="border-b border-neutral-800">
            <th className="w-60 py-2 font-normal">Id</th>
            <th className="w-64 py-2 font-normal">Family / task</th>
            <th className="w-24 py-2 font-normal">Type</th>
            <th className="w-24 py-2 font-normal">Status</th>
            <th className="py-2 font-normal">Instruction</th>
          </tr>
        </thead>
        <tbody>
          {page.rows.map((row) => (
            <tr key={row.id} className="border-b border-neutral-800/60">
              <td className="truncate py-2 pr-4 font-mono text-xs text-neutral-400" title={row.externalId}>
                {row.externalId}
              </td>
              <td className="truncate py-2 pr-4">
                <span className="text-neutral-500">{row.family} /</span> {row.task}
              </td>
              <td className="py-2 pr-4 text-neutral-400">{row.instructionType}</td>
              <td className="py-2 pr-4">
                <span className={`rounded px-1.5 py-0.5 text-xs ${STATUS_STYLE[row.status]}`}>{row.status}</span>
              </td>
              <td className="truncate py-2 text-neutral-200" title={row.instruction}>
                {row.instruction}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {page.rows.length === 0 && <p className="py-8 text-center text-neutral-500">No items match these filters.</p>}

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
