'use client';

import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { ExportRunStatus } from '@/db/schema';
import { get } from '@/lib/api/client';
import type { ExportsAnswer } from '@/lib/api/exports';
import type { ExportProgress } from '@/lib/export/background';
import type { ExportRecord } from '@/lib/export/records';
import type { ExportFilter } from '@/lib/export/selection';
import { EmptyState } from '@/components/ui/EmptyState';
import { Row, Table } from '@/components/ui/Table';
import { NewExportForm, type ExportChoices } from './NewExportForm';

export type ExportsState = ExportsAnswer;

const number = new Intl.NumberFormat('en-US');

const COLUMNS = [
  { header: 'Started', className: 'w-36' },
  { header: 'By', className: 'w-24' },
  { header: 'Format', className: 'w-44' },
  { header: 'Filter', className: 'w-44' },
  { header: 'Items', className: 'w-20', align: 'right' },
  { header: 'Files', className: 'w-24', align: 'right' },
  { header: 'Status', className: 'w-28 pl-4' },
  { header: 'Folder', className: 'pl-4' },
] as const;

const STATUS_STYLE: Record<ExportRunStatus, string> = {
  running: 'text-sky-300 bg-sky-500/15',
  done: 'text-emerald-300 bg-emerald-500/15',
  failed: 'text-rose-300 bg-rose-500/15',
  interrupted: 'text-amber-300 bg-amber-500/15',
};

/** What to run for an export cut off part-way (there is no button: the folder may be on the CLI's machine). */
function UnfinishedHint({ id }: { id: number }) {
  return (
    <div className="mt-1 text-xs leading-5 text-neutral-400" data-testid="export-unfinished">
      Resume: <code className="font-mono text-neutral-300">npm run loupe -- export --resume {id}</code>
      <br />
      or delete its partial files: <code className="font-mono text-neutral-300">--clean {id}</code>
    </div>
  );
}

/** A folder path that wraps after a separator (never inside a folder name, unless one alone is wider than the column). */
function FolderPath({ path }: { path: string }) {
  const parts = path.split(/(?<=[/\\])/);
  return (
    <div className="font-mono text-xs leading-5 text-neutral-400 [overflow-wrap:anywhere]" data-testid="export-folder" title={path}>
      {parts.map((part, i) => (
        <span key={i}>
          {part}
          {i < parts.length - 1 && <wbr />}
        </span>
      ))}
    </div>
  );
}

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

const fetchExports = (before: number | undefined, limit: number) =>
  get<ExportsAnswer>(`/api/exports?limit=${limit}${before ? `&before=${before}` : ''}`);

function Progress({ progress }: { progress: ExportProgress | undefined }) {
  const pct = progress && progress.total > 0 ? (100 * progress.done) / progress.total : 0;
  return (
    <div className="mt-1.5 w-20" data-testid="export-progress">
      <div
        className="h-1.5 overflow-hidden rounded-full bg-neutral-800"
        role="progressbar"
        aria-valuemin={0}
        aria-valuemax={progress?.total ?? 0}
        aria-valuenow={progress?.done ?? 0}
      >
        <div className="h-full bg-sky-400/80 transition-[width]" style={{ width: `${pct}%` }} />
      </div>
      {progress && progress.total > 0 && (
        <div className="mt-0.5 text-[11px] tabular-nums text-neutral-500">
          {number.format(progress.done)} / {number.format(progress.total)}
        </div>
      )}
    </div>
  );
}

/** The "New export" form and the export runs, polled every second while one runs in the server. */
export function ExportsPanel({
  initial,
  choices,
  before,
  limit,
}: {
  initial: ExportsState;
  choices: ExportChoices;
  before?: number;
  limit: number;
}) {
  const client = useQueryClient();
  const query = useQuery({
    queryKey: ['exports', before ?? null],
    queryFn: () => fetchExports(before, limit),
    initialData: initial,
    refetchInterval: (q) => (q.state.data?.running ? 1000 : false),
  });
  const { exports: runs, running, progress } = query.data;

  return (
    <div>
      <NewExportForm choices={choices} busy={running !== null} onStarted={() => void client.invalidateQueries({ queryKey: ['exports'] })} />
      <Table fixed testId="exports-table" columns={COLUMNS}>
        {runs.map((run) => (
          <Row key={run.id} className="align-top" data-testid={`export-${run.id}`}>
            <td className="py-2 pr-4 tabular-nums text-neutral-400" title={duration(run) && `took ${duration(run)}`}>
              {when(run.startedAt)}
            </td>
            <td className="truncate py-2 pr-4 text-neutral-300" title={run.createdBy}>
              {run.createdBy}
            </td>
            <td className="truncate py-2 pr-4 text-neutral-200">{run.format}</td>
            <td className="py-2 pr-4 text-neutral-400">{filterText(run.filter)}</td>
            <td className="py-2 text-right tabular-nums text-neutral-200">
              {run.status === 'done' ? number.format(run.items) : <span className="text-neutral-500">–</span>}
              {run.skipped > 0 && <div className="text-xs text-amber-300/80">{number.format(run.skipped)} skipped</div>}
            </td>
            <td className="py-2 text-right tabular-nums text-neutral-400">
              {run.status === 'done' ? (
                <>
                  {number.format(run.files)}
                  <div className="text-xs text-neutral-500">{size(run.bytes)}</div>
                </>
              ) : (
                <span className="text-neutral-500">–</span>
              )}
            </td>
            <td className="py-2 pl-4">
              <span
                className={`rounded px-1.5 py-0.5 text-xs ${STATUS_STYLE[run.status]}`}
                title={run.error ?? undefined}
                data-testid="export-status"
              >
                {run.status}
              </span>
              {run.status === 'running' && run.id === running && <Progress progress={progress[run.id]} />}
            </td>
            <td className="py-2 pl-4">
              <FolderPath path={run.outPath} />
              {run.error && (
                <div className={`mt-1 text-xs ${run.status === 'interrupted' ? 'text-amber-300/90' : 'text-rose-300/90'}`}>{run.error}</div>
              )}
              {run.cleanable && <UnfinishedHint id={run.id} />}
              {run.status === 'done' && run.downloadable && (
                <a href={`/api/exports/${run.id}/download`} download className="mt-1 inline-block text-xs text-sky-300 hover:text-sky-200">
                  Download .tar
                </a>
              )}
            </td>
          </Row>
        ))}
      </Table>
      {runs.length === 0 && <EmptyState look="table" message="No exports yet." />}
    </div>
  );
}
