/**
 * Which way a batch's jobs go (client-safe: the batch form and lib/api/batches.ts read it). `batch`: the
 * OpenAI Batch API (half price, answered within 24 h, lib/jobs/batch-driver.ts); `sync`: the job worker,
 * one call a job; `auto`: the Batch API from LOUPE_BATCH_MIN_ITEMS items, for the kinds it takes.
 */
export const BATCH_VIAS = ['auto', 'batch', 'sync'] as const;
export type BatchVia = (typeof BATCH_VIAS)[number];
export type BatchPath = 'batch' | 'sync';
