/**
 * The kinds' list is what every part reads, so the list itself is checked: ids, flags, and that the
 * parts that read it (the worker's runners, the claim order, the review queue's exclusion, the
 * items/jobs route) really follow each kind's declaration, against a real database.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '@/db';
import { jobRequest } from '@/lib/api/jobs';
import { importGptEdit } from '@/lib/import/import-gpt-edit';
import { openaiConfig } from '@/lib/openai/config';
import { claimItems, leaseIfClaimable } from '@/lib/review/queue';
import { cleanupTemp, SAMPLES_DIR, tempDb } from '@/lib/test/factories';
import { claimJob, enqueueJob } from '../jobs';
import { defineKind } from '../kind';
import { notConfigured } from '../request';
import { API_KINDS, workerKinds } from '../worker-kinds';
import { BATCH_KINDS, KIND_IDS, KIND_META, KINDS, kindOf } from '.';
import { judge } from './judge';

const withKey = openaiConfig({ OPENAI_API_KEY: 'test', OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' });
const withoutKey = openaiConfig({});

describe('the kinds list', () => {
  it('names each kind once, by an id that is safe to write into SQL, in a file of its own name', () => {
    expect(new Set(KIND_IDS).size).toBe(KINDS.length);
    for (const kind of KINDS) {
      expect(kind.id).toMatch(/^[a-z_]+$/);
      expect(fs.existsSync(path.join(import.meta.dirname, `${kind.id}.ts`)), kind.id).toBe(true);
      expect(kindOf(kind.id)).toBe(kind);
    }
    expect(kindOf('no_such_kind')).toBeUndefined();
  });

  it('refuses to declare a kind whose id is not safe to write into SQL', () => {
    for (const id of ["x') OR 1 --", 'Regenerate', 'pair-2', '']) {
      expect(() => defineKind({ ...judge, id }), JSON.stringify(id)).toThrow(/lower-case letters and underscores/);
    }
    expect(defineKind({ ...judge, id: 'a_b' }).id).toBe('a_b');
  });

  it('gives every batchable kind what a batch needs, and the browser plain data', () => {
    for (const kind of KINDS.filter((k) => k.batchable)) {
      expect(kind.batchLabel, kind.id).toBeTruthy();
      expect(kind.costDependsOn, kind.id).toMatch(/^(aspect|size)$/);
      // A batch queues every item with the kind's default parameters.
      expect(kind.params.safeParse({}).success, kind.id).toBe(true);
    }
    expect(BATCH_KINDS).toEqual(KINDS.filter((k) => k.batchable).map((k) => k.id));
    expect(JSON.parse(JSON.stringify(KIND_META))).toEqual(KIND_META);
    expect(KIND_META.map((k) => [k.id, k.label, k.batchable, k.priority])).toEqual(
      KINDS.map((k) => [k.id, k.label, k.batchable, k.priority]),
    );
  });

  it('says a kind is not configured, by its label, only when it needs the API key and none is set', () => {
    for (const kind of KINDS) {
      expect(notConfigured(kind, withKey), kind.id).toBeUndefined();
      expect(notConfigured(kind, withoutKey), kind.id).toBe(
        kind.needsApiKey
          ? `${kind.label} is not configured on this server: set OPENAI_API_KEY (and OPENAI_BASE_URL if needed).`
          : undefined,
      );
    }
  });

  it('lets the items/jobs route ask for the interactive kinds only', () => {
    for (const kind of KINDS) {
      expect(jobRequest.safeParse({ kind: kind.id }).success, kind.id).toBe(kind.priority === 'interactive');
    }
  });
});

describe('the parts that read the list', () => {
  let db: Db;
  let itemIds: number[];
  beforeEach(async () => {
    db = tempDb().db;
    const { datasetId } = await importGptEdit(db, SAMPLES_DIR);
    itemIds = (db.$client.prepare('SELECT id FROM items WHERE dataset_id = ? ORDER BY id').pluck().all(datasetId) as number[]).slice(
      0,
      KINDS.length + 2,
    );
  });
  afterEach(cleanupTemp);

  it('give a worker with an API key a runner for every kind and no claim limit; without one only the kinds needing none', () => {
    const all = workerKinds(db, withKey);
    expect(Object.keys(all.runners).sort()).toEqual([...KIND_IDS].sort());
    expect(all.claim).toBeUndefined();
    const local = workerKinds(db, withoutKey);
    const localIds = KINDS.filter((k) => !k.needsApiKey).map((k) => k.id);
    expect(Object.keys(local.runners).sort()).toEqual([...localIds].sort());
    expect(local.claim).toBeDefined();
  });

  it('leave a job out of the claim of a worker that has no runner for its kind', () => {
    // A CLI batch runs the API kinds only: a queued signals job stays for a general worker (it used to be claimed and failed).
    const signals = enqueueJob(db, { kind: 'signals', itemId: itemIds[0], requestedBy: 'test', costUsd: 0 });
    const api = workerKinds(db, withKey, { only: API_KINDS });
    expect(api.claim!(db, 'w1', 30_000)).toBeUndefined();
    const regenerate = enqueueJob(db, { kind: 'regenerate', itemId: itemIds[1], requestedBy: 'test', costUsd: 0 });
    expect(api.claim!(db, 'w1', 30_000)?.id).toBe(regenerate);
    expect(workerKinds(db, withoutKey).claim!(db, 'w2', 30_000)?.id).toBe(signals);
  });

  it('take interactive jobs before bulk ones, oldest first within a class', () => {
    const bulkKind = KINDS.find((k) => k.priority === 'bulk')!;
    const interactiveKind = KINDS.find((k) => k.priority === 'interactive')!;
    const bulk = enqueueJob(db, { kind: bulkKind.id, itemId: itemIds[0], requestedBy: 'test', costUsd: 0 });
    const first = enqueueJob(db, { kind: interactiveKind.id, itemId: itemIds[1], requestedBy: 'test', costUsd: 0 });
    const second = enqueueJob(db, { kind: interactiveKind.id, itemId: itemIds[2], requestedBy: 'test', costUsd: 0 });
    expect([1, 2, 3].map(() => claimJob(db, 'w', 30_000)?.id)).toEqual([first, second, bulk]);
  });

  it('keep an item out of the review queue exactly while a job of a kind that holds it is queued or running', () => {
    const page = { holder: 'user-ann:tab-1', reviewer: 'ann' };
    for (const [i, kind] of KINDS.entries()) {
      const itemId = itemIds[i];
      const jobId = enqueueJob(db, { kind: kind.id, itemId, requestedBy: 'ann', costUsd: 0 });
      const claimable = () => {
        const ids = claimItems(db, { datasetId: datasetOf(db, itemId) }, page, 50);
        db.$client.prepare('UPDATE items SET lease_holder = NULL, lease_reviewer = NULL, lease_expires_at = NULL').run();
        return ids.includes(itemId);
      };
      expect(claimable(), `${kind.id} queued`).toBe(!kind.holdsItem);
      db.$client.prepare(`UPDATE jobs SET status = 'succeeded' WHERE id = ?`).run(jobId);
      expect(claimable(), `${kind.id} ended`).toBe(true);
      // The one who asked gets a held item back first when its job ends.
      expect(leaseIfClaimable(db, { datasetId: datasetOf(db, itemId) }, page, itemId), kind.id).toBe(kind.holdsItem);
      db.$client.prepare('UPDATE items SET lease_holder = NULL, lease_reviewer = NULL, lease_expires_at = NULL').run();
    }
    expect(KINDS.some((k) => k.holdsItem) && KINDS.some((k) => !k.holdsItem)).toBe(true);
  });
});

const datasetOf = (db: Db, itemId: number) => db.$client.prepare('SELECT dataset_id FROM items WHERE id = ?').pluck().get(itemId) as number;
