import OpenAI, { toFile } from 'openai';
import type { Db } from '@/db';
import { statement } from '@/db/statements';
import type { StoredImage } from '../images/store';
import type { OpenAIConfig } from '../openai/config';
import type { ImageUsage } from '../openai/prices';
import { isSimulated } from '../openai/simulated';
import type { Bucket } from './recipe';

/** What the two regeneration kinds (lib/jobs/kinds/regenerate.ts, regenerate_pair.ts) share: the edit call and the candidate it makes. */

/** The API's size parameter for a bucket. */
export const sizeOf = (bucket: Bucket) => `${bucket.width}x${bucket.height}` as const;

/** Adds a regenerated candidate and makes it the item's current one (inside the job's transaction). */
export function insertCandidate(
  db: Db,
  job: { id: number; itemId: number },
  image: StoredImage & { width: number; height: number },
  extra: {
    simulated: boolean;
    paddingOk: boolean;
    provenance: Record<string, unknown>;
    source?: StoredImage & { width: number; height: number };
  },
): number {
  const id = Number(
    statement(
      db,
      `INSERT INTO candidates (item_id, origin, root_id, path, width, height, provenance, job_id, simulated, padding_ok,
         source_root_id, source_path, source_width, source_height, file_id, source_file_id)
       VALUES (?, 'regenerated', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      job.itemId,
      image.rootId,
      image.path,
      image.width,
      image.height,
      JSON.stringify(extra.provenance),
      job.id,
      extra.simulated ? 1 : 0,
      extra.paddingOk ? 1 : 0,
      extra.source?.rootId ?? null,
      extra.source?.path ?? null,
      extra.source?.width ?? null,
      extra.source?.height ?? null,
      image.fileId,
      extra.source?.fileId ?? null,
    ).lastInsertRowid,
  );
  statement(db, 'UPDATE items SET current_candidate_id = ? WHERE id = ?').run(id, job.itemId);
  return id;
}

export interface EditResult {
  png: Buffer;
  usage?: ImageUsage;
  requestId: string | null;
  simulated: boolean;
}

/** One images.edit call with the recipe's padded upload (explicit PNG mime type). */
export async function editImage(
  client: OpenAI,
  config: OpenAIConfig,
  upload: Buffer,
  prompt: string,
  bucket: Bucket,
  quality: string,
  inputFidelity: 'high' | 'low' | undefined,
  signal: AbortSignal,
): Promise<EditResult> {
  const { data, response, request_id } = await client.images
    .edit(
      {
        model: config.LOUPE_IMAGE_MODEL,
        image: await toFile(upload, 'source.png', { type: 'image/png' }),
        prompt,
        size: sizeOf(bucket),
        quality: quality as 'high',
        n: 1,
        ...(inputFidelity ? { input_fidelity: inputFidelity } : {}),
      },
      { signal, timeout: config.LOUPE_IMAGE_TIMEOUT_MS },
    )
    .withResponse();
  const b64 = data.data?.[0]?.b64_json;
  if (!b64) throw new Error('the API answered without an image');
  return { png: Buffer.from(b64, 'base64'), usage: data.usage, requestId: request_id, simulated: isSimulated(response.headers) };
}
