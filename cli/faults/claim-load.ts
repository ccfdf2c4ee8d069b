/**
 * A server's claim load in its own process, for the fault tests: review pages claiming and
 * releasing items of dataset 1 in LOUPE_DATA_DIR as fast as they can for `ms` milliseconds.
 * Prints { claims, errors: [messages] } as JSON; exits 1 when any claim failed.
 */
import { getDb } from '@/db';
import { claimItems, releaseLeases } from '@/lib/review/queue';

const ms = Number(process.argv[2] ?? 3000);
const db = getDb();
const until = Date.now() + ms;
let claims = 0;
const errors: string[] = [];
for (let i = 0; Date.now() < until; i++) {
  const who = { holder: `load:${i % 4}`, reviewer: `reviewer${i % 4}` };
  try {
    claimItems(db, { datasetId: 1 }, who, 5);
    if (i % 3 === 0) releaseLeases(db, who.holder);
    claims++;
  } catch (error) {
    errors.push(error instanceof Error ? `${(error as { code?: string }).code ?? ''} ${error.message}` : String(error));
  }
  // Like a server between requests: give the other processes' writers a moment.
  await new Promise((resolve) => setTimeout(resolve, 2));
}
process.stdout.write(JSON.stringify({ claims, errors: errors.slice(0, 5), failed: errors.length }) + '\n');
process.exit(errors.length ? 1 : 0);
