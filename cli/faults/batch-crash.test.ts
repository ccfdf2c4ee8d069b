import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { startLocalOpenAI, type LocalOpenAI } from '@/lib/openai-local/server';
import { runLoupe } from '@/lib/test/cli';
import { cleanupTemp, copySamples, tempDir } from '@/lib/test/factories';
import { start, waitFor } from './processes';

let server: LocalOpenAI | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  cleanupTemp();
});

describe('kill -9 of `regenerate --via batch` while it polls', () => {
  it('a worker started after resumes polling the same OpenAI batch: nothing is uploaded or created twice', async () => {
    const dataDir = tempDir('loupe-batch-crash-');
    expect(runLoupe(dataDir, ['import', copySamples()]).code).toBe(0);
    // The batch stays in progress long enough for the kill to land while the CLI polls it.
    server = await startLocalOpenAI({ batchDelayMs: 4_000 });
    const env = { OPENAI_API_KEY: 'test', OPENAI_BASE_URL: server.url, LOUPE_BATCH_POLL_MS: '100' };
    const count = (method: string, route: string) => server!.requests.filter((r) => r.method === method && r.path === route).length;
    const polls = () => server!.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/v1/batches/')).length;

    const first = start(['cli/loupe.ts', 'regenerate', '--kind', 'rewrite', '--via', 'batch', '--budget-usd', '5', '--json'], dataDir, env);
    await waitFor(() => polls() >= 2, 'the CLI to poll its OpenAI batch', 60_000);
    first.child.kill('SIGKILL');
    await first.exited;
    expect(first.stderr()).toContain('path: the OpenAI Batch API (half price, answered within 24 h; --via batch)');
    expect(count('POST', '/v1/batches')).toBe(1);

    const sqlite = new Database(path.join(dataDir, 'loupe.db'));
    const q = (sql: string) => sqlite.prepare(sql).pluck().get() as number | string;
    try {
      expect(q(`SELECT state FROM openai_batches`)).toBe('submitted');
      const worker = start(['cli/loupe.ts', 'worker'], dataDir, env);
      await waitFor(() => q(`SELECT count(*) FROM jobs WHERE status IN ('queued', 'running')`) === 0, 'the batch to end', 90_000);
      worker.child.kill('SIGTERM');
      expect((await worker.exited).code).toBe(0);

      expect(count('POST', '/v1/files')).toBe(1);
      expect(count('POST', '/v1/batches')).toBe(1);
      expect(count('POST', '/v1/chat/completions')).toBe(0);
      expect(q(`SELECT count(*) FROM jobs WHERE status = 'succeeded'`)).toBe(12);
      expect(q(`SELECT state || ' ' || remote_status FROM openai_batches`)).toBe('ended completed');
      // Every job's money is what its line cost at the Batch price, nothing left reserved.
      expect(q(`SELECT count(*) FROM jobs WHERE abs(spent_usd - cost_usd) > 1e-12 OR cost_usd <= 0`)).toBe(0);
    } finally {
      sqlite.close();
    }
  }, 180_000);
});
