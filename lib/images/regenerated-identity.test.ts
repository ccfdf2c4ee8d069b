import fs from 'node:fs';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Db } from '@/db';
import { getJob } from '@/lib/jobs/jobs';
import { JobWorker } from '@/lib/jobs/worker';
import { importGptEdit } from '@/lib/import/import-gpt-edit';
import { startLocalOpenAI, type LocalOpenAI } from '@/lib/openai-local/server';
import { openaiConfig } from '@/lib/openai/config';
import { requestJob } from '@/lib/jobs/request';
import { workerKinds } from '@/lib/jobs/worker-kinds';
import { cleanupTemp, copySamples, tempDb } from '@/lib/test/factories';
import { imageBytes } from './serve';

let db: Db;
let server: LocalOpenAI;
let worker: JobWorker | undefined;

beforeEach(async () => {
  ({ db } = tempDb());
  await importGptEdit(db, copySamples());
  server = await startLocalOpenAI();
});

afterEach(async () => {
  await worker?.stop({ abort: true });
  await server.close();
  cleanupTemp();
});

const identity = (file: string) => {
  const stat = fs.statSync(file, { bigint: true });
  return `${stat.dev}:${stat.ino}`;
};

it('records the identity of a regenerated image in Loupe’s store, and refuses it once swapped', async () => {
  const config = openaiConfig({ OPENAI_API_KEY: 'test', OPENAI_BASE_URL: server.url } as unknown as NodeJS.ProcessEnv);
  const itemId = db.$client.prepare('SELECT min(id) FROM items').pluck().get() as number;
  const { jobId } = requestJob(db, config, { kind: 'regenerate', itemId, requestedBy: 'tester' });
  worker = new JobWorker(db, { concurrency: 1, maxAttempts: 1, runners: workerKinds(db, config).runners, pollMs: 20 }).start();
  const deadline = Date.now() + 20_000;
  while (!['succeeded', 'failed'].includes(getJob(db, jobId)!.status) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  expect(getJob(db, jobId)!.status).toBe('succeeded');

  const candidate = db.$client
    .prepare(
      `SELECT c.id, c.file_id AS fileId, r.path || '/' || c.path AS file FROM candidates c JOIN image_roots r ON r.id = c.root_id WHERE c.job_id = ?`,
    )
    .get(jobId) as { id: number; fileId: string; file: string };
  expect(candidate.fileId).toBe(identity(candidate.file));
  expect((await imageBytes(db, 'candidate', candidate.id))?.equals(fs.readFileSync(candidate.file))).toBe(true);

  // The same bytes under a new inode (e.g. the store copied elsewhere and back): not the file recorded.
  fs.copyFileSync(candidate.file, `${candidate.file}.copy`);
  fs.renameSync(`${candidate.file}.copy`, candidate.file);
  expect(await imageBytes(db, 'candidate', candidate.id)).toBeUndefined();
});
