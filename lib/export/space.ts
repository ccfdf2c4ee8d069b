import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '@/db';
import { FILE_IMAGE_FORMATS, type ExportFormat, type ImageMode } from './formats';
import { itemRecord } from './item-record';
import { ExportError, ItemResolver, taskPages, type ExportItem, type ExportStatus, type TaskGroup } from './selection';

/**
 * Before an export writes anything: which image mode it uses (the default is `link` when every
 * image folder shares the export folder's filesystem, else `copy`), how much disk it will take
 * (estimated from a sample of its items), and a refusal when the export folder's disk has not
 * that much free.
 */

export interface ExportPlan {
  /** How images are written; `embedded` for the formats that hold them in their own files (parquet, webdataset). */
  images: ImageMode | 'embedded';
  /** Why that mode, or what it cannot do (links to images in object storage). */
  note?: string;
  /** Bytes the export is expected to add to the disk of its folder. */
  estimatedBytes: number;
  /** Free bytes on that disk (for an unprivileged user) before it starts. */
  freeBytes: number;
}

/** Free bytes for the filesystem holding `dir`; injectable for tests. */
export type FreeSpaceProbe = (dir: string) => Promise<number>;

const statfsFree: FreeSpaceProbe = async (dir) => {
  const stats = await fs.promises.statfs(dir);
  return stats.bavail * stats.bsize;
};

/** Items read to estimate the size (spread over the task folders). */
const SAMPLE_ITEMS = 200;
/** Room kept beyond the estimate: 5% and 256 KiB (the estimate is a sample's average; folders and files grow by blocks). */
const MARGIN = 1.05;
const MARGIN_BYTES = 256 * 1024;
/** What a hard link or a reference adds per image beside the record (a directory entry; a reference's JSON). */
const LINK_BYTES = 64;
const REFERENCE_BYTES = 160;
/** A WebDataset sample's three tar headers and average padding. */
const TAR_SAMPLE_BYTES = 3 * 512 + 3 * 256;

/** The export cannot fit: a full disk's code and the folder, so the CLI exits 28 and the run is failed as one. */
export class NotEnoughSpace extends Error {
  readonly code = 'ENOSPC';
  constructor(
    readonly path: string,
    readonly plan: ExportPlan,
  ) {
    super(
      `${spaceLine(path, plan)}: not enough free space; free some, choose another folder${plan.images === 'copy' ? ', or use --images link or none' : ''}`,
    );
  }
}

/** "about 1.2 GB on the disk of OUT (3.4 GB free)". */
export function spaceLine(out: string, plan: ExportPlan): string {
  return `about ${formatBytes(plan.estimatedBytes)} on the disk of ${out} (${formatBytes(plan.freeBytes)} free)`;
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

/** The nearest folder of `dir` (itself or a parent) that exists: where a not-yet-made export folder will be. */
function existingFolder(dir: string): string {
  for (let at = path.resolve(dir); ; at = path.dirname(at)) {
    if (fs.existsSync(at)) return at;
    if (path.dirname(at) === at) return at;
  }
}

/** Refuses an image mode the format cannot use (they embed their images). */
export function checkImageMode(format: ExportFormat, requested: ImageMode | undefined) {
  if (requested === undefined || requested === 'copy' || FILE_IMAGE_FORMATS.includes(format)) return;
  throw new ExportError(`--images ${requested} applies to ${FILE_IMAGE_FORMATS.join(', ')}; ${format} embeds its images`);
}

/** The image mode an export uses, and why (the default's reason; links impossible for object storage). */
export function chooseImageMode(
  db: Db,
  out: string,
  format: ExportFormat,
  requested: ImageMode | undefined,
): Pick<ExportPlan, 'images' | 'note'> {
  if (!FILE_IMAGE_FORMATS.includes(format)) return { images: 'embedded' };
  if (out.startsWith('s3://')) {
    if (requested === 'none') return { images: 'none' };
    return { images: 'copy', note: `an export to object storage copies its images (a bucket has no hard links)` };
  }
  const roots = db.$client.prepare<[], string>('SELECT path FROM image_roots').pluck().all();
  const inBucket = roots.some((root) => root.startsWith('s3://'));
  if (requested === 'none' || requested === 'copy') return { images: requested };
  if (requested === 'link') {
    return inBucket
      ? { images: 'link', note: 'images in object storage (s3://) cannot be hard-linked: those are copied' }
      : { images: 'link' };
  }
  if (inBucket) return { images: 'copy', note: 'images are in object storage (s3://), which has no hard links: copied' };
  const device = fs.statSync(existingFolder(out)).dev;
  const elsewhere = roots.find((root) => {
    try {
      return fs.statSync(root).dev !== device;
    } catch {
      return false; // a folder gone: its images are reported missing item by item
    }
  });
  return elsewhere === undefined
    ? { images: 'link', note: 'the images and the export folder share a filesystem: hard-linked' }
    : { images: 'copy', note: `images in ${elsewhere} are on another filesystem than the export folder: copied` };
}

/**
 * The disk an export will take: a sample of its items, spread over its task folders, resolved and
 * sized as the format writes them; images shared by several records (written once) counted once
 * by the sample's share of distinct files.
 */
export async function estimateBytes(
  db: Db,
  groups: TaskGroup[],
  status: ExportStatus,
  total: number,
  format: ExportFormat,
  images: ExportPlan['images'],
  out: string,
): Promise<number> {
  if (total === 0) return 0;
  const sample = sampleItems(db, groups, status, total);
  if (sample.length === 0) return 0;
  const device = images === 'link' ? (await fs.promises.stat(existingFolder(out))).dev : undefined;
  let recordBytes = 0;
  let imageBytes = 0;
  const seen = new Set<string>();
  for (const item of sample) {
    recordBytes += Buffer.byteLength(JSON.stringify(itemRecord(item, { source: item.source.rel, edited: item.edited.rel })));
    if (format === 'webdataset') recordBytes += TAR_SAMPLE_BYTES;
    for (const image of [item.source, item.edited]) {
      if (images === 'none') {
        recordBytes += REFERENCE_BYTES;
        continue;
      }
      if (seen.has(image.from)) continue;
      seen.add(image.from);
      const size = await imageSize(image.from);
      if (images === 'link' && size.dev !== undefined && size.dev === device) imageBytes += LINK_BYTES;
      else imageBytes += size.bytes;
    }
  }
  // Each distinct file of the sample counted once: records that share images cost their records only.
  const perItem = (recordBytes + imageBytes) / sample.length;
  return Math.ceil(perItem * total);
}

async function imageSize(from: string): Promise<{ bytes: number; dev?: number }> {
  if (from.startsWith('s3://')) return { bytes: 0 };
  try {
    const stats = await fs.promises.stat(from);
    return { bytes: stats.size, dev: stats.dev };
  } catch {
    return { bytes: 0 }; // missing: the item will be skipped
  }
}

/** Up to SAMPLE_ITEMS items, from every task folder in proportion to its size (its first items). */
function sampleItems(db: Db, groups: TaskGroup[], status: ExportStatus, total: number): ExportItem[] {
  const resolver = new ItemResolver(db);
  const items: ExportItem[] = [];
  for (const group of groups) {
    const want = Math.max(1, Math.round((SAMPLE_ITEMS * group.n) / total));
    for (const page of taskPages(db, group, status)) {
      for (const row of page.slice(0, want)) {
        const item = resolver.resolve(row, group);
        if (!('problem' in item)) items.push(item);
      }
      break;
    }
  }
  return items;
}

/** Throws NotEnoughSpace when the plan's estimate does not fit the free space (with a margin). */
export function checkSpace(out: string, plan: ExportPlan) {
  if (plan.estimatedBytes * MARGIN + MARGIN_BYTES > plan.freeBytes) throw new NotEnoughSpace(out, plan);
}

/** The free space of the disk `out` will be on. */
export function freeSpaceOf(out: string, probe: FreeSpaceProbe = statfsFree): Promise<number> {
  return probe(existingFolder(out));
}
