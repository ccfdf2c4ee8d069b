import type { Db } from '@/db';
import { tokenize } from '@/db/search-tokens';
import { offThread } from '@/lib/offload/pool';
import { searchReady } from './build';
import { BUILD_SEARCH_INDEX } from './offload';

const CHECK_EVERY_MS = 5000;
const holder = globalThis as unknown as { __loupeSearchIndexer?: boolean };

/**
 * The search index's builder in the server (started from instrumentation.ts): it builds whenever
 * items are above the watermark, found by a check every few seconds (a `loupe import` in another
 * process adds them) and at start. One build at a time; it yields between its short transactions.
 */
export function startSearchIndexer(db: Db) {
  if (holder.__loupeSearchIndexer) return;
  holder.__loupeSearchIndexer = true;
  let running = false;
  const kick = () => {
    if (running || !db.$client.open || searchReady(db)) return;
    running = true;
    const started = Date.now();
    // On the offload worker: the build's transactions never hold the thread reviewers are answered on.
    offThread(db, BUILD_SEARCH_INDEX)
      .then(({ indexed }) => {
        if (indexed > 0)
          console.log(
            `Loupe search index: ${indexed.toLocaleString('en-US')} items indexed in ${Math.round((Date.now() - started) / 1000)} s`,
          );
      })
      .catch((error) =>
        console.error(`loupe: search index build failed, retrying: ${error instanceof Error ? error.message : String(error)}`),
      )
      .finally(() => {
        running = false;
      });
  };
  const check = () => {
    try {
      kick();
    } catch (error) {
      // A busy or full database: the next check tries again.
      console.error(`loupe: search index check failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  // The tokenizer reads its table from SQLite once per process (about a second): now, not in the first search.
  setTimeout(() => tokenize(''), 1000).unref();
  const timer = setInterval(() => (db.$client.open ? check() : clearInterval(timer)), CHECK_EVERY_MS).unref();
  check();
}
