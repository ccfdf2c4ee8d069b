import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '@/db';
import { statement } from '@/db/statements';
import { checkedImage } from '../images/checked-file';
import { CHANGED, fileIdOf, type CheckedFile } from '../images/open';
import { imageStoreDir, STORED_MODE } from '../images/store';
import { exportFile, ImageCopier, readImage, type ImageCopy, type WrittenFiles } from './files';
import type { ImageMode } from './formats';
import type { ExportItem, ImageFile, LineRow } from './selection';

/**
 * Where an export's images go, by `--images` (lib/export/formats.ts): copied, hard-linked to
 * the stored file (copied where the filesystem refuses: another disk, too many links, an
 * object store), or not written at all, each image then named by its store reference.
 */

/** An image as the store holds it: `path` relative to `root` (a folder, or `s3://bucket/prefix`), and its bytes' SHA-256. */
export interface ImageRef {
  root: string;
  path: string;
  sha256: string;
}

/** An image of the export: its path in the export folder, or (`none`) its store reference. */
export type PlacedImage = { path: string; ref?: undefined } | { ref: ImageRef; path?: undefined };

/** How many images each way, for the summary. */
export interface ImageCounts {
  linked: number;
  copied: number;
  referenced: number;
}

/** A link refused for these reasons is copied instead (with a notice); any other error is the export's. */
const COPY_INSTEAD: Record<string, string> = {
  EXDEV: 'the images and the export folder are on different filesystems',
  EMLINK: 'an image file has as many hard links as its filesystem allows',
  EPERM: 'the filesystem or its settings (fs.protected_hardlinks) refuse hard links to these files',
  ENOTSUP: 'the filesystem has no hard links',
  EOPNOTSUPP: 'the filesystem has no hard links',
  ENOSYS: 'the filesystem has no hard links',
};

/** `ab/<sha256>.<ext>`: a content-addressed store's name, which gives the SHA-256 without reading the file. */
const STORE_NAME = /^([0-9a-f]{2})\/([0-9a-f]{64})\.[A-Za-z0-9]+$/;

/** The SHA-256 an image's name gives, when it is in a content-addressed store (Loupe's, local or s3). */
export function sha256FromStoreName(storeRoots: ReadonlySet<string>, root: string, rel: string): string | undefined {
  const match = STORE_NAME.exec(rel);
  if (!match || !match[2].startsWith(match[1])) return undefined;
  return storeRoots.has(root) || root.startsWith('s3://') ? match[2] : undefined;
}

export interface StoredAt {
  rootId: number;
  rel: string;
  /** The identity recorded when it was stored (`dev:ino`, an object's ETag). */
  fileId: string | null | undefined;
}

/** The (root, relative path) an item's images are stored at, as the export resolver reads them (selection.ts). */
function storedAt(item: ExportItem): { source: StoredAt; edited: StoredAt } {
  const { row, candidate } = item;
  const ofCandidate = candidate.source_root_id !== null && candidate.source_path !== null;
  return {
    source: ofCandidate
      ? { rootId: candidate.source_root_id!, rel: candidate.source_path!, fileId: candidate.source_file_id }
      : { rootId: row.source_root_id, rel: row.source_path, fileId: row.source_file_id },
    edited: { rootId: candidate.root_id, rel: candidate.path, fileId: candidate.file_id },
  };
}

/** storedAt for a LineRow (the same columns, before any ExportItem is made). */
export function storedAtOfLine(row: LineRow): { source: StoredAt; edited: StoredAt } {
  return {
    source: { rootId: row.source_root_id, rel: row.source_path, fileId: row.source_file_id },
    edited: { rootId: row.edited_root_id, rel: row.edited_path, fileId: row.edited_file_id },
  };
}

const HASHES_KEPT = 100_000;

/** Places each item's two images by the export's image mode; one per export run. */
export class ImagePlacer {
  readonly counts: ImageCounts = { linked: 0, copied: 0, referenced: 0 };
  private readonly copier: ImageCopier;
  private readonly roots = new Map<number, string>();
  private readonly storeRoots: Set<string>;
  /** SHA-256 of files read once already (images shared by many records), by path and identity. */
  private hashes = new Map<string, string>();
  private madeDirs = new Set<string>();
  /** Why links were refused, by error code, with how many images were copied instead. */
  private readonly refused = new Map<string, number>();

  constructor(
    private readonly db: Db,
    private readonly out: string,
    private readonly files: WrittenFiles,
    readonly mode: ImageMode,
  ) {
    this.copier = new ImageCopier(out, files);
    this.storeRoots = new Set([imageStoreDir(db)]);
  }

  /**
   * Places an item's images at `targets` (paths in the export: source, edited), or returns
   * why the item is left out. `none` writes nothing and answers references.
   */
  async place(item: ExportItem, targets: [string, string]): Promise<{ source: PlacedImage; edited: PlacedImage } | { problem: string }> {
    if (this.mode === 'none') {
      const stored = storedAt(item);
      const source = await this.reference(item.source, stored.source);
      if ('problem' in source) return source;
      const edited = await this.reference(item.edited, stored.edited);
      if ('problem' in edited) return edited;
      this.counts.referenced += 2;
      return { source: { ref: source }, edited: { ref: edited } };
    }
    const images: ImageCopy[] = [
      { ...item.source, target: targets[0] },
      { ...item.edited, target: targets[1] },
    ];
    const problem = this.mode === 'copy' ? await this.copy(images) : await this.link(images);
    return problem ? { problem } : { source: { path: targets[0] }, edited: { path: targets[1] } };
  }

  /**
   * `none`'s references when both images are in a content-addressed store, whose names give their
   * SHA-256 (what `reference` answers for them, without an ExportItem); undefined when either must
   * be read (then `place` does it).
   */
  referencesByName(stored: { source: StoredAt; edited: StoredAt }): { source: ImageRef; edited: ImageRef } | undefined {
    const sourceRoot = this.root(stored.source.rootId);
    const sourceSha = sha256FromStoreName(this.storeRoots, sourceRoot, stored.source.rel);
    if (!sourceSha) return undefined;
    const editedRoot = this.root(stored.edited.rootId);
    const editedSha = sha256FromStoreName(this.storeRoots, editedRoot, stored.edited.rel);
    if (!editedSha) return undefined;
    this.counts.referenced += 2;
    return {
      source: { root: sourceRoot, path: stored.source.rel, sha256: sourceSha },
      edited: { root: editedRoot, path: stored.edited.rel, sha256: editedSha },
    };
  }

  /** One line per reason links were refused (the CLI prints them, the summary carries them). */
  notices(): string[] {
    return [...this.refused].map(
      ([code, n]) =>
        `hard links refused (${code}: ${COPY_INSTEAD[code] ?? 'images in object storage'}): ${n.toLocaleString('en-US')} images copied instead`,
    );
  }

  private async copy(images: ImageCopy[]): Promise<string | undefined> {
    const fresh = images.filter(
      (image, i) => this.files.source(image.target) === undefined && images.findIndex((o) => o.target === image.target) === i,
    );
    const problem = await this.copier.copy(images);
    if (!problem) this.counts.copied += fresh.length;
    return problem;
  }

  /**
   * Hard-links each image to the file that was checked (ImageFile.from, its real path) and checks
   * that the new link is that same file (`dev:ino`), so a file swapped since the check is never
   * linked. Missing images are refused before anything is placed.
   */
  private async link(images: ImageCopy[]): Promise<string | undefined> {
    for (const image of images) if (image.fileId === null) return `${image.field} image not found: ${image.from}`;
    for (const [i, image] of images.entries()) {
      const earlier = this.files.source(image.target);
      if (earlier === image.from || images.findIndex((o) => o.target === image.target) < i) continue; // shared: placed once
      if (earlier !== undefined) return `${image.field} ${image.target}: another image of the export has this path`;
      const refusedBy = image.from.startsWith('s3://') ? 's3' : await this.linkOne(image);
      if (refusedBy === undefined) continue;
      if (refusedBy.startsWith('!')) return refusedBy.slice(1);
      this.refused.set(refusedBy, (this.refused.get(refusedBy) ?? 0) + 1);
      const problem = await this.copy([image]);
      if (problem) return problem;
    }
    return undefined;
  }

  /** Links one image: undefined when done, the error code when a copy must do instead, or `!problem`. */
  private async linkOne(image: ImageCopy): Promise<string | undefined> {
    const file = exportFile(this.out, image.target);
    await this.makeDir(path.dirname(file));
    const stored = this.storeSha256(image.from);
    try {
      await fs.promises.link(image.from, file);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? '';
      if (code in COPY_INSTEAD) return code;
      if (code === 'ENOENT') return `!${image.field} image not found: ${image.from}`;
      throw error;
    }
    const stats = await fs.promises.lstat(file, { bigint: true });
    if (fileIdOf(stats) !== image.fileId) {
      await fs.promises.unlink(file);
      return `!${image.field} image not exported: ${CHANGED}: ${image.from}`;
    }
    if (stored && (Number(stats.mode) & 0o222) !== 0) {
      // A file of Loupe's store is read-only (lib/images/store.ts), but a store written before that
      // holds writable ones: made so through the checked link (no link followed) before the export
      // is done, so writing through the export's file cannot rewrite the stored original. One this
      // user may not change (another user's store) is copied instead: never shared writable.
      const handle = await fs.promises.open(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
      try {
        await handle.chmod(STORED_MODE);
      } catch (error) {
        await fs.promises.unlink(file);
        if ((error as NodeJS.ErrnoException).code === 'EPERM') return 'EPERM';
        throw error;
      } finally {
        await handle.close();
      }
    }
    const sha256 = stored ?? (await this.hashOf(image));
    if (typeof sha256 !== 'string') {
      await fs.promises.unlink(file);
      return `!${sha256.problem}`;
    }
    this.files.add(image.target, image.from, Number(stats.size), sha256);
    this.counts.linked++;
    return undefined;
  }

  /**
   * The store reference of an image: its SHA-256 from its name in a content-addressed store (the
   * file is not opened: the database names it), else from its bytes, read from the file checked now.
   */
  private async reference(image: ImageFile, at: StoredAt): Promise<ImageRef | { problem: string }> {
    if (image.fileId === null) return { problem: `${image.field} image not found: ${image.from}` };
    const root = this.root(at.rootId);
    const known = sha256FromStoreName(this.storeRoots, root, at.rel);
    if (known) return { root, path: at.rel, sha256: known };
    let checked: CheckedFile;
    try {
      checked = checkedImage(root, at.rel, at.fileId);
    } catch (error) {
      return { problem: `${image.field} image path: ${(error as Error).message}` };
    }
    if (checked.fileId === null) return { problem: `${image.field} image not found: ${checked.from}` };
    const sha256 = await this.hashOf({ ...checked, field: image.field });
    return typeof sha256 === 'string' ? { root, path: at.rel, sha256 } : sha256;
  }

  /** The SHA-256 a file's real path gives when it lies in Loupe's local store (named by its hash). */
  private storeSha256(from: string): string | undefined {
    const store = imageStoreDir(this.db);
    if (!from.startsWith(store + path.sep)) return undefined;
    return sha256FromStoreName(this.storeRoots, store, path.relative(store, from).split(path.sep).join('/'));
  }

  /** The SHA-256 of the checked file (read once per file and identity in a run). */
  private async hashOf(image: CheckedFile & { field: string }): Promise<string | { problem: string }> {
    const key = `${image.fileId}\0${image.from}`;
    const kept = this.hashes.get(key);
    if (kept !== undefined) return kept;
    const bytes = await readImage(image);
    if (!Buffer.isBuffer(bytes)) return bytes;
    const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
    if (this.hashes.size >= HASHES_KEPT) this.hashes = new Map();
    this.hashes.set(key, sha256);
    return sha256;
  }

  private root(id: number): string {
    let root = this.roots.get(id);
    if (root === undefined) {
      root = statement<[number], string>(this.db, 'SELECT path FROM image_roots WHERE id = ?').pluck().get(id) ?? '';
      this.roots.set(id, root);
    }
    return root;
  }

  private async makeDir(dir: string) {
    if (this.madeDirs.has(dir)) return;
    if (this.madeDirs.size >= 10_000) this.madeDirs = new Set();
    await fs.promises.mkdir(dir, { recursive: true });
    this.madeDirs.add(dir);
  }
}

/** A local reference's absolute file path (an object's `s3://` URL). */
export function storePath(ref: ImageRef): string {
  return ref.root.startsWith('s3://') ? `${ref.root}/${ref.path}` : path.join(ref.root, ...ref.path.split('/'));
}
