import { bufferSource, checkImage, ImageRefused } from '../../images/check';

export const DOWNLOAD_TIMEOUT_MS = 30_000;
export const MAX_DOWNLOAD_BYTES = 50 * 1024 * 1024;
export const MAX_CONCURRENT_DOWNLOADS = 4;

export interface DownloadedImage {
  bytes: Buffer;
  /** From the image's own header, not from the URL or the content-type. */
  extension: string;
}

export interface DownloadLimits {
  timeoutMs?: number;
  maxBytes?: number;
}

/**
 * Fetches one image over http(s). Throws a short, user-facing reason when the server
 * fails, is too slow, answers with something that is not an image, or sends more than
 * the size cap (counted as the body streams in, so a lying content-length cannot get past).
 */
export async function downloadImage(url: string, limits: DownloadLimits = {}): Promise<DownloadedImage> {
  const timeoutMs = limits.timeoutMs ?? DOWNLOAD_TIMEOUT_MS;
  const maxBytes = limits.maxBytes ?? MAX_DOWNLOAD_BYTES;
  const tooLarge = `larger than ${formatBytes(maxBytes)}`;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    const refuse = async (reason: string): Promise<never> => {
      await response.body?.cancel().catch(() => {});
      throw new DownloadError(reason);
    };
    if (!response.ok) return refuse(`HTTP ${response.status}`);
    const type = (response.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
    if (!type.startsWith('image/')) return refuse(`not an image (content-type ${type || 'missing'})`);
    if (Number(response.headers.get('content-length')) > maxBytes) return refuse(tooLarge);

    const chunks: Uint8Array[] = [];
    let total = 0;
    const reader = response.body!.getReader();
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      total += read.value.length;
      if (total > maxBytes) {
        await reader.cancel().catch(() => {});
        throw new DownloadError(tooLarge);
      }
      chunks.push(read.value);
    }
    const bytes = Buffer.concat(chunks);
    // Checked as an imported file is, before it is stored: a refused image leaves nothing behind.
    return { bytes, extension: checkImage(bufferSource(bytes)).format };
  } catch (error) {
    if (error instanceof DownloadError) throw error;
    if (error instanceof ImageRefused) throw new DownloadError(error.message);
    const { name, message, cause } = error as Error & { cause?: { code?: string; message?: string } };
    if (name === 'TimeoutError' || name === 'AbortError') throw new DownloadError(`timed out after ${timeoutMs / 1000} s`);
    throw new DownloadError(cause?.code ?? cause?.message ?? message);
  }
}

class DownloadError extends Error {}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${Math.round(n / (1024 * 1024))} MB` : `${n} bytes`;
}

/** Runs `fn` over `items` with at most `limit` calls in flight. */
export async function forEachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
