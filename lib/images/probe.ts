import fs from 'node:fs';
import { checkImage, ImageRefused } from './check';
import { fdSource, FileRefused, openInRootSync, type FolderCache } from './open';

export interface ImageInfo {
  width: number;
  height: number;
  format: string;
  /** The file's identity (`dev:ino`) when it was checked; serving compares it. */
  fileId?: string;
}

/** An image to probe: a checked relative path inside its root folder. */
export interface ImageLocation {
  root: string;
  path: string;
}

/**
 * Opens an image inside its root (refusing one that leads outside it) and checks it from
 * a bounded head and tail (its real type, its structure, the pixel limit). An import passes
 * its FolderCache (see lib/images/open.ts for what that trades). Synchronous
 * because the importer checks two images per record and a thread-pool round trip per file
 * costs more than the reads themselves. Throws a short, user-facing reason when the image
 * is refused.
 */
export function probeImage(image: ImageLocation, folders?: FolderCache): ImageInfo {
  const opened = openInRootSync(image.root, image.path, null, folders);
  try {
    return { ...checkImage(fdSource(opened.fd, opened.size)), fileId: opened.fileId };
  } finally {
    fs.closeSync(opened.fd);
  }
}

/** probeImage, answering the reason as a string instead of throwing it. */
export function probeOrReason(image: ImageLocation, folders?: FolderCache): ImageInfo | string {
  try {
    return probeImage(image, folders);
  } catch (error) {
    if (error instanceof ImageRefused || error instanceof FileRefused) return error.message;
    return `cannot read image (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`;
  }
}
