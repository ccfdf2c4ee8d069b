/**
 * The search index's build as an offload task (lib/offload/pool.ts): the server builds it on the
 * offload worker (at a lower CPU priority, with its own connection), so indexing an import of 1.5M
 * items (about 13 s of CPU in short transactions) does not hold the thread reviewers are answered on.
 */
import type { Db } from '@/db';
import type { OffloadTask } from '@/lib/offload/pool';
import { buildSearchIndex } from './build';

export function buildSearchIndexTask(db: Db): Promise<{ indexed: number; seconds: number }> {
  return buildSearchIndex(db, { shouldStop: () => !db.$client.open });
}

export const BUILD_SEARCH_INDEX: OffloadTask<[], Promise<{ indexed: number; seconds: number }>> = {
  module: 'lib/search/offload.ts',
  name: 'buildSearchIndexTask',
  run: buildSearchIndexTask,
};
