import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { startLocalOpenAI, type LocalOpenAI } from '@/lib/openai-local/server';
import { worstCaseImageCall } from '@/lib/openai/prices';
import { runLoupe } from '@/lib/test/cli';
import { cleanupTemp, copySamples, tempDir } from '@/lib/test/factories';
import { start, waitFor } from './processes';

let server: LocalOpenAI | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  cleanupTemp();
});

describe('kill -9 of a worker mid-call', () => {
  it('every call sent is counted, the batch budget is a hard cap, and nothing is left running', async () => {
    const dataDir = tempDir('loupe-worker-crash-');
    expect(runLoupe(dataDir, ['import', copySamples()]).code).toBe(0);
    // No answer before the kill: the worker is surely killed with its calls in flight, however loaded the machine.
    server = await startLocalOpenAI({ latencyMs: 600_000 });
    const env = { OPENAI_API_KEY: 'test', OPENAI_BASE_URL: server.url, LOUPE_IMAGE_QUALITY: 'low', LOUPE_IMAGE_MODEL: 'gpt-image-1' };
    const edits = () => server!.requests.filter((r) => r.path === '/v1/images/edits').length;
    // Room for 6 calls at their worst case: the 4 calls cut off stay counted, so not all 12 items fit.
    const worst = worstCaseImageCall('gpt-image-1', 'low', '1536x1024', 'x'.repeat(200), true);
    const budget = 6 * worst;

    const first = start(['cli/loupe.ts', 'regenerate', '--budget-usd', String(budget), '--concurrency', '4', '--json'], dataDir, env);
    await waitFor(() => edits() >= 4, 'four edit calls in flight');
    first.child.kill('SIGKILL');
    await first.exited;
    const sentBeforeCrash = edits();
    server.setLatency(300);

    const sqlite = new Database(path.join(dataDir, 'loupe.db'));
    const q = (sql: string) => sqlite.prepare(sql).pluck().get() as number;
    try {
      // The calls cut off are committed: the money may be gone.
      expect(q(`SELECT count(*) FROM jobs WHERE status = 'running' AND spent_usd > 0`)).toBeGreaterThanOrEqual(4);

      const worker = start(['cli/loupe.ts', 'worker', '--concurrency', '4'], dataDir, env);
      await waitFor(() => q(`SELECT count(*) FROM jobs WHERE status IN ('queued', 'running')`) === 0, 'the batch to end', 90_000);
      worker.child.kill('SIGTERM');
      expect((await worker.exited).code).toBe(0);

      const spent = q('SELECT sum(spent_usd) FROM jobs');
      const succeeded = q(`SELECT count(*) FROM jobs WHERE status = 'succeeded'`);
      const cheapest = q(`SELECT min(cost_usd) FROM jobs WHERE status = 'succeeded'`);
      const sent = edits();
      console.log(
        `worker kill -9: ${sentBeforeCrash} calls sent before the crash, ${sent} in all, ${succeeded} succeeded; ` +
          `spent $${spent.toFixed(4)} of a $${budget.toFixed(4)} budget`,
      );
      expect(sent).toBeGreaterThan(succeeded); // calls were cut off (and some sent again)
      // Every call sent is counted: the succeeded at their actual cost, the rest at least at the cheapest one's.
      expect(spent).toBeGreaterThanOrEqual(
        q(`SELECT sum(cost_usd) FROM jobs WHERE status = 'succeeded'`) + (sent - succeeded) * cheapest - 1e-9,
      );
      expect(spent).toBeLessThanOrEqual(budget + 1e-9);
      expect(succeeded).toBeLessThan(12);
      expect(q(`SELECT status FROM batches`)).toBe('stopped');
      expect(q(`SELECT count(*) FROM jobs WHERE status = 'running'`)).toBe(0);
    } finally {
      sqlite.close();
    }
  }, 150_000);
});
