import Link from 'next/link';
import { dataDir, getDb } from '@/db';
import { ExportsPanel } from '@/components/exports/ExportsPanel';
import { requirePage } from '@/lib/auth/page';
import { EXPORT_FORMATS } from '@/lib/export/formats';
import { exportChoices, exportProgress, runningExportId } from '@/lib/export/background';
import { withDownloads } from '@/lib/export/download';
import { listExports } from '@/lib/export/records';
import { parseId } from '@/lib/http/params';
import { exportPresetFromParams } from '@/lib/filter/filter-codec';

export const dynamic = 'force-dynamic';

const PAGE_SIZE = 100;

type Search = Record<string, string | string[] | undefined>;
const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value) || undefined;

export default async function ExportsPage({ searchParams }: { searchParams: Promise<Search> }) {
  const search = await searchParams;
  // Back to the same selection after signing in ("Export these" hands it over in the URL).
  const query = new URLSearchParams();
  for (const [key, values] of Object.entries(search)) for (const value of [values ?? []].flat()) query.append(key, value);
  await requirePage('manage', `/exports${query.size ? `?${query}` : ''}`);
  const before = parseId(first(search.before));
  const db = getDb();
  const runs = withDownloads(dataDir(), listExports(db, { limit: PAGE_SIZE, before }));
  const older = runs.length === PAGE_SIZE ? runs.at(-1)!.id : undefined;

  return (
    <div className="mx-auto w-full max-w-6xl px-6 py-8">
      <div className="mb-6 flex items-baseline gap-4">
        <h1 className="text-xl font-semibold text-neutral-100">Exports</h1>
        <span className="text-sm text-neutral-400">
          or from a shell: <code className="font-mono text-xs">npm run loupe -- export --out DIR --format F</code>; times in UTC
        </span>
      </div>

      <ExportsPanel
        initial={{ exports: runs, running: runningExportId(), progress: exportProgress() }}
        choices={{ ...exportChoices(db), formats: EXPORT_FORMATS, preset: exportPresetFromParams(search) }}
        before={before}
        limit={PAGE_SIZE}
      />

      <div className="mt-4 flex gap-4 text-sm">
        {before && (
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
