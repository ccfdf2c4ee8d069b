import Link from 'next/link';
import { getDb } from '@/db';
import { requirePage } from '@/lib/auth/page';
import { summarizeDatasets } from '@/lib/datasets/summary';
import { pendingWithoutSignal } from '@/lib/review/queue';
import { ReviewApp } from '@/components/review/ReviewApp';
import { reviewFilterOf } from '@/components/review/url-terms';

export const dynamic = 'force-dynamic';

type Search = Record<string, string | string[] | undefined>;

/** The query string as the browser sent it, so sign-in comes back to the same queue. */
function queryOf(search: Search) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(search)) {
    for (const one of Array.isArray(value) ? value : value === undefined ? [] : [value]) params.append(key, one);
  }
  const query = params.toString();
  return query ? `?${query}` : '';
}

export default async function ReviewPage({ searchParams }: { searchParams: Promise<Search> }) {
  const search = await searchParams;
  const user = await requirePage('review', '/review' + queryOf(search));
  const datasets = summarizeDatasets(getDb());
  if (datasets.length === 0) {
    return (
      <p className="m-auto text-neutral-400">
        No datasets yet.{' '}
        <Link href="/" className="underline">
          Back
        </Link>
      </p>
    );
  }
  // The queue the URL asks for, less the terms it cannot take, which the page names (url-terms.ts).
  const { filter, notice } = reviewFilterOf(search, datasets, user.roles);
  const dataset = datasets.find((d) => d.id === filter.datasetId) ?? datasets[0];
  return (
    <ReviewApp
      key={dataset.id}
      filter={filter}
      notice={notice}
      reviewer={user.username}
      options={{
        datasets: datasets.map(({ id, name }) => ({ id, name })),
        tasks: dataset.tasks.map(({ family, task }) => ({ family, task })),
        withoutSignal: pendingWithoutSignal(getDb(), filter),
      }}
    />
  );
}
