import { notFound } from 'next/navigation';
import { Suspense } from 'react';
import { DatasetBrowser } from '@/components/datasets/DatasetBrowser';
import { getDb } from '@/db';
import { requirePage } from '@/lib/auth/page';
import { can } from '@/lib/auth/roles';
import { summarizeDatasets } from '@/lib/datasets/summary';
import { filterInputFromParams } from '@/lib/filter/filter-codec';
import { SCORE_NAMES, SIGNAL_NAMES } from '@/lib/filter/filter';
import { parseId } from '@/lib/http/params';
import { queueProgress } from '@/lib/review/queue';

export const dynamic = 'force-dynamic';

const number = new Intl.NumberFormat('en-US');

type Search = Record<string, string | string[] | undefined>;

/**
 * A dataset's browser (components/datasets/DatasetBrowser.tsx): the page reads the dataset and the
 * viewer's rights; the items come from GET /api/datasets/:id/items in keyset pages, filtered by the
 * shared filter the URL holds (lib/filter/filter-codec.ts).
 */
export default async function DatasetPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<Search> }) {
  const { id } = await params;
  const user = await requirePage('view', `/datasets/${encodeURIComponent(id)}`);
  // Item statuses and who decided what are for leads: an annotator must not learn others'
  // verdicts, nor which items are gold (decided items mixed into the queue).
  const seesVerdicts = can(user.roles, 'adjudicate');
  const db = getDb();
  const datasetId = parseId(id) ?? 0; // 0 names no dataset: not found
  const dataset = summarizeDatasets(db).find((d) => d.id === datasetId);
  if (!dataset) notFound();
  const terms = filterInputFromParams(await searchParams);
  // The queue understands dataset, family, task and instruction type only.
  const progress = queueProgress(db, {
    datasetId,
    family: terms.family,
    task: terms.family ? terms.task : undefined,
    instructionType: (['original', 'rewrite', 'complex'] as const).find((t) => t === terms.instructionType),
  });

  return (
    <div className="mx-auto w-full max-w-7xl px-6 py-6">
      <div className="mb-4 flex items-baseline gap-4">
        <h1 className="text-xl font-semibold text-neutral-100">{dataset.name}</h1>
        <span className="text-sm tabular-nums text-neutral-400">
          {number.format(progress.reviewed)} / {number.format(progress.total)} reviewed in this view
        </span>
      </div>
      <Suspense>
        <DatasetBrowser
          datasetId={datasetId}
          options={{
            tasks: dataset.tasks.map(({ family, task, total }) => ({ family, task, total })),
            scoreNames: SCORE_NAMES,
            signalNames: SIGNAL_NAMES,
            seesVerdicts,
          }}
          can={{
            manage: can(user.roles, 'manage'),
            review: can(user.roles, 'review'),
            adjudicate: seesVerdicts,
            audit: can(user.roles, 'audit') && can(user.roles, 'manage'),
          }}
        />
      </Suspense>
    </div>
  );
}
