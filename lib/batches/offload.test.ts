import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Db } from '@/db';
import { importGptEdit } from '@/lib/import/import-gpt-edit';
import { offThread } from '@/lib/offload/pool';
import { openaiConfig } from '@/lib/openai/config';
import { cleanupTemp, SAMPLES_DIR, tempDb } from '@/lib/test/factories';
import { estimateBatch } from './batch';
import { ESTIMATE_BATCH } from './offload';

let db: Db;
let datasetId: number;

beforeAll(async () => {
  db = tempDb().db;
  datasetId = (await importGptEdit(db, SAMPLES_DIR)).datasetId;
});
afterAll(cleanupTemp);

it('estimates on the offload worker exactly as on this thread, for the counted path and a text filter', async () => {
  const config = openaiConfig({ OPENAI_API_KEY: 'test', LOUPE_BATCH_MIN_ITEMS: '5' });
  for (const request of [
    { kind: 'regenerate' as const, filter: { datasetId } },
    { kind: 'rewrite' as const, filter: { datasetId, text: 'the' }, via: 'sync' as const },
    { kind: 'judge' as const, filter: { datasetId, family: 'hqedit' } },
  ]) {
    const there = await offThread(db, ESTIMATE_BATCH, config, request);
    expect(there).toEqual(estimateBatch(db, config, request));
    expect(there.items).toBeGreaterThan(0);
  }
});
