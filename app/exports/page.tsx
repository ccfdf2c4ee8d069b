import Link from 'next/link';
import { getDb } from '@/db';
import type { ExportRunStatus } from '@/db/schema';
import { listExports, type ExportRecord } from '@/lib/export/records';
import type { ExportFilter } from '@/lib/export/selection';

export const dynamic = 'force-dynamic';

const PAGE_SIZE = 100;
const number = new Intl.NumberFormat('en-US');

type Search = Record<string, string | string[] | undefined>;
const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value) || undefined;

const STATUS_STYLE: Record<ExportRunStatus, string> = {
  running: 'text-sky-300 bg-sky-500/15',
  done: 'text-emerald-300 bg-emerald-500/15',
  failed: 'text-rose-300 bg-rose-500/15',
};

/** UTC, to the minute: the same on every machine that looks. */
function when(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}

function duration(run: ExportRecord): string {
  if (run.finishedAt === null) return '';
  const seconds = (run.finishedAt - run.startedAt) / 1000;
  return seconds < 60 ? `${seconds.toFixed(1)} s` : `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}

function size(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

function filterText(filter: ExportFilter): string {
  const parts = [filter.status, filter.dataset && `dataset ${filter.dataset}`, filter.family, filter.task].filter(Boolean);
  return parts.join(' · ');
}

export default async function ExportsPage({ searchParams }: { searchParams: Promise<Search> }) {
  const before = Number(first((await searchParams).before));
  const runs = listExports(getDb(), { limit: PAGE_SIZE, before: Number.isInteger(before) && before > 0 ? before : undefined });
  const older = runs.length === PAGE_SIZE ? runs.at(-1)!.id : undefined;

  return (
    <div className="mx-auto w-full max-w-6xl px-6 py-8">
      <div className="mb-6 flex items-baseline gap-4">
        <h1 className="text-xl font-semibold text-neutral-100">Exports</h1>
        <span className="text-sm text-neutral-400">
          <code className="font-mono text-xs">npm run loupe -- export --out DIR --format F</code> writes one; times in UTC
        </span>
      </div>

      <table className="w-full table-fixed text-sm" data-testid="exports-table">
        <thead className="text-left text-xs uppercase tracking-wide text-neutral-500">
          <tr className="border-b border-neutral-800">
            <th className="w-36 py-2 font-normal">Started</th>
            <th className="w-24 py-2 font-normal">By</th>
            <th className="w-48 py-2 font-normal">Format</th>
            <th className="w-48 py-2 font-normal">Filter</th>
            <th className="w-20 py-2 text-right font-normal">Items</th>
            <th className="w-24 py-2 text-right font-normal">Files</th>
            <th className="w-24 py-2 pl-4 font-normal">Status</th>
            <th className="py-2 pl-4 font-normal">Folder</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((run) => (
            <tr key={run.id} className="border-b border-neutral-800/60 align-top">
              <td className="py-2 pr-4 tabular-nums text-neutral-400" title={duration(run) && `took ${duration(run)}`}>
                {when(run.startedAt)}
              </td>
              <td className="truncate py-2 pr-4 text-neutral-300" title={run.createdBy}>
                {run.createdBy}
              </td>
              <td className="truncate py-2 pr-4 text-neutral-200">{run.format}</td>
              <td className="py-2 pr-4 text-neutral-400">{filterText(run.filter)}</td>
              <td className="py-2 text-right tabular-nums text-neutral-200">
                {run.status === 'done' ? number.format(run.items) : <span className="text-neutral-600">–</span>}
                {run.skipped > 0 && <div className="text-xs text-amber-300/80">{number.format(run.skipped)} skipped</div>}
              </td>
              <td className="py-2 text-right tabular-nums text-neutral-400">
                {run.status === 'done' ? (
                  <>
                    {number.format(run.files)}
                    <div className="text-xs text-neutral-500">{size(run.bytes)}</div>
                  </>
                ) : (
                  <span className="text-neutral-600">–</span>
                )}
              </td>
              <td className="py-2 pl-4">
                <span className={`rounded px-1.5 py-0.5 text-xs ${STATUS_STYLE[run.status]}`} title={run.error ?? undefined}>
                  {run.status}
                </span>
              </td>
              <td className="py-2 pl-4">
                <div className="break-all font-mono text-xs leading-5 text-neutral-400">{run.outPath}</div>
                {run.error && <div className="mt-1 text-xs text-rose-300/90">{run.error}</div>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {runs.length === 0 && <p className="py-8 text-center text-neutral-500">No exports yet.</p>}

      <div className="mt-4 flex gap-4 text-sm">
        {before > 0 && (
          <Link href="/exports" className="text-neutral-400 hover:text-neutral-100">
            ← Newest
          </Link>
        )}
        {older && (
          <Link href={`/exports?before=${older}`} className="ml-auto text-neutral-400 hover:text-neutral-100">
            Older →
          </Link>
        )}
      </div>
    </div>
  );
}
