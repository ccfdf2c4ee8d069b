import fs from 'node:fs';
import path from 'node:path';
import { imageSize } from 'image-size';
import type { ImageInfo, ImageLocation } from '@/lib/images/probe';
import type { ProbeKind } from '@/lib/images/prober';

/**
 * The header-only probe Loupe used before images were checked whole (no realpath, no
 * structure, no tail): kept only as bench:import's baseline, so the cost of the checks is
 * measured in one run. Lives in bench/: no import can use it.
 */
export function probeHeaderOnly(image: ImageLocation): ImageInfo | string {
  const head = Buffer.alloc(4096);
  let fd: number;
  try {
    fd = fs.openSync(path.resolve(image.root, image.path), 'r');
  } catch {
    return 'image file not found';
  }
  try {
    const bytes = fs.readSync(fd, head, 0, head.length, 0);
    const { width, height, type } = imageSize(head.subarray(0, bytes));
    return width && height && type ? { width, height, format: type } : 'not a decodable image';
  } catch {
    return 'not a decodable image';
  } finally {
    fs.closeSync(fd);
  }
}

/** The header-only probe as an ImageProber kind: on a worker thread, as an import's checks run. */
export const HEADER_ONLY_PROBE: ProbeKind = {
  worker: () => new URL('./probe-header-worker.mjs', import.meta.url),
  inline: () => probeHeaderOnly,
};
