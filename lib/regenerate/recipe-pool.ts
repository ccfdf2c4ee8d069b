import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { WorkerPool } from '../signals/pool';
import { padToBucket, restoreAndCheck, type Box, type Bucket } from './recipe';

/**
 * The recipe's pixel work (lib/regenerate/recipe.ts) on worker threads, so a worker running
 * several regenerations at once keeps its event loop for the API calls and the database: the
 * calling thread posts the bytes and gets the PNG and the figures back.
 */

/** Bytes cross to a worker thread as a Uint8Array; sharp and the store want a Buffer (same memory, no copy). */
const asBuffer = (bytes: Uint8Array): Buffer =>
  Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

type Size = { width: number; height: number };

/** What the recipe's threads run (lib/regenerate/recipe-worker.mjs), and this thread where none can start. */
export const RECIPE_OPS = {
  pad: (source: Uint8Array | string, bucket?: Bucket, png?: { compressionLevel: number }) =>
    padToBucket(typeof source === 'string' ? source : asBuffer(source), bucket, png),
  restore: (result: Uint8Array, box: Box, bucket: Bucket, source: Size, options?: { tolerance?: number; maxFraction?: number }) =>
    restoreAndCheck(asBuffer(result), box, bucket, source, options),
};

/** Where the worker imports this module from: beside it from the source (tsx, tests), the working folder's source tree when bundled. */
function recipeModule(): string {
  if (import.meta.url.startsWith('file:') && import.meta.url.endsWith('/lib/regenerate/recipe-pool.ts')) return import.meta.url;
  return pathToFileURL(path.resolve('lib', 'regenerate', 'recipe-pool.ts')).href;
}

let pool: WorkerPool<typeof RECIPE_OPS> | undefined;

/** The process's recipe threads (as many as the signals': LOUPE_SIGNALS_THREADS, else one per core), started at the first use. */
export function recipePool(): WorkerPool<typeof RECIPE_OPS> {
  return (pool ??= new WorkerPool(
    () => new URL('./recipe-worker.mjs', import.meta.url),
    { workerData: { module: recipeModule() } },
    RECIPE_OPS,
  ));
}

/** padToBucket on a recipe thread. */
export async function padOffThread(
  source: Buffer | string,
  bucket?: Bucket,
  png?: { compressionLevel: number },
): Promise<Awaited<ReturnType<typeof padToBucket>>> {
  const padded = await recipePool().run('pad', source, bucket, png);
  return { ...padded, png: asBuffer(padded.png) };
}

/** restoreAndCheck (crop back, resize, check for padding, encode) on a recipe thread. */
export async function restoreOffThread(
  result: Buffer,
  box: Box,
  bucket: Bucket,
  source: Size,
  options?: { tolerance?: number; maxFraction?: number },
): Promise<Awaited<ReturnType<typeof restoreAndCheck>>> {
  const restored = await recipePool().run('restore', result, box, bucket, source, options);
  return { ...restored, png: asBuffer(restored.png) };
}
