import fs from 'node:fs';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { pack as tarPack, type Pack } from 'tar-stream';
import type { Db } from '@/db';
import { exportRuns } from '@/db/schema';
import { isUnderExportsRoot } from './background';
import { holdsRunOutput } from './output';

/**
 * Downloading an export as one .tar, streamed file by file (a webdataset or parquet export
 * can be far larger than memory). Only finished exports under `<data dir>/exports` are
 * offered: a CLI export to some other folder is the user's own file, not ours to serve.
 */

/** The folder of a finished, downloadable export, or null. */
export function downloadableExportDir(db: Db, dataDir: string, id: number): string | null {
  const row = db.select({ outPath: exportRuns.outPath, status: exportRuns.status }).from(exportRuns).where(eq(exportRuns.id, id)).get();
  if (!row || row.status !== 'done' || !isUnderExportsRoot(dataDir, row.outPath)) return null;
  try {
    // A symlinked export folder could point anywhere: serve only a real folder.
    if (!fs.lstatSync(row.outPath).isDirectory()) return null;
  } catch {
    return null;
  }
  return row.outPath;
}

/** Files under `dir` (regular files only, no symlinks), relative with `/`, in a stable order. */
export async function* exportFiles(dir: string, prefix = ''): AsyncGenerator<string> {
  const entries = await fs.promises.readdir(path.join(dir, prefix), { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) yield* exportFiles(dir, rel);
    else if (entry.isFile()) yield rel;
  }
}

/** A tar of every file under `dir`, named relative to it; an error mid-way destroys the stream. */
export function tarExportDir(dir: string): Pack {
  const tar = tarPack();
  void (async () => {
    for await (const rel of exportFiles(dir)) {
      const file = path.join(dir, rel);
      const stat = await fs.promises.stat(file);
      await new Promise<void>((resolve, reject) => {
        // The entry's callback fires once its bytes are in the tar (or it failed).
        const entry = tar.entry({ name: rel, size: stat.size, mtime: stat.mtime, mode: 0o644 }, (error) =>
          error ? reject(error) : resolve(),
        );
        fs.createReadStream(file).on('error', reject).pipe(entry);
      });
    }
    tar.finalize();
  })().catch((error: unknown) => tar.destroy(error instanceof Error ? error : new Error(String(error))));
  return tar;
}

/**
 * Export runs as the Exports page lists them: with whether each may be downloaded, and whether an
 * unfinished one may be resumed or cleaned (its folder still holds the manifest it wrote: not a
 * folder it was refused, nor one a later export has written into since).
 */
export function withDownloads<T extends { id: number; status: string; outPath: string }>(
  dataDir: string,
  runs: T[],
): (T & { downloadable: boolean; cleanable: boolean })[] {
  return runs.map((run) => ({
    ...run,
    downloadable: run.status === 'done' && isUnderExportsRoot(dataDir, run.outPath),
    cleanable: (run.status === 'interrupted' || run.status === 'failed') && holdsRunOutput(run.outPath, run.id),
  }));
}
