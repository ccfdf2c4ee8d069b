import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { dataDir, type Db } from '@/db';
import { checkRelativePath } from '../images/paths';
import { getObject, listObjects, type ListedObject } from '../s3/objects';
import { parseS3Url, S3UrlError } from '../s3/url';
import type { ImportFormat } from './format-types';
import type { ImportOptions, ImportSummary } from './import-gpt-edit';
import { NothingToImportError } from './session';
import { TARBALL_FORMAT_NAME } from './tarball/import-tarball';

/**
 * Import sources in a bucket: `import s3://bucket/prefix` (a layout folder, split tarball
 * parts, parquet shards, or the parts named one by one). The objects under each URL are copied
 * (through the AWS SDK's own variables, as the S3 store: lib/s3/client.ts) into
 * `LOUPE_DATA_DIR/s3-sources/<bucket>/<key>`, and the format is then detected and run on that
 * copy exactly as on a local path, with the same checks and problem reports. A re-run fetches
 * only objects whose size or modification time changed, so an interrupted import resumes. Formats
 * that copy their images into Loupe's store (tarball parts, parquet) leave no copy behind once
 * they succeed; a layout's images are read from the copy, so it stays.
 */

export interface ResolvedImport {
  format: ImportFormat;
  run: (db: Db, options: ImportOptions) => Promise<ImportSummary>;
}

/** Formats whose images end up in the store: their staged copy is removed after a successful run. */
const COPIED_INTO_STORE = (format: ImportFormat) => format.name === TARBALL_FORMAT_NAME || format.name.endsWith('-parquet');

const DOWNLOADS_AT_ONCE = 8;

/**
 * Stages the s3:// URLs (all of them must be) and resolves the format on the copies with
 * `resolveLocal` (the registry's own resolution); its run removes the copies of formats that
 * store their images.
 */
export async function resolveFromBucket(
  urls: string[],
  resolveLocal: (paths: string[]) => Promise<ResolvedImport>,
  stageRoot = path.join(dataDir(), 's3-sources'),
): Promise<ResolvedImport> {
  const local = urls.find((url) => !url.startsWith('s3://'));
  if (local !== undefined) throw new NothingToImportError(`${local}: give either s3:// URLs or local paths, not both`);
  const staged: string[] = [];
  for (const url of urls) staged.push(await stage(url, stageRoot));
  const resolved = await resolveLocal(staged);
  return {
    format: resolved.format,
    run: async (db, options) => {
      const summary = await resolved.run(db, options);
      if (COPIED_INTO_STORE(resolved.format)) for (const copy of staged) fs.rmSync(copy, { recursive: true, force: true });
      return summary;
    },
  };
}

/** Copies the object at the URL, or every object under it as a folder; answers the local path that stands for the URL. */
async function stage(url: string, stageRoot: string): Promise<string> {
  let location;
  try {
    location = parseS3Url(url);
  } catch (error) {
    if (error instanceof S3UrlError) throw new NothingToImportError(error.message);
    throw error;
  }
  const { bucket, prefix } = location;
  const target = path.join(stageRoot, bucket, ...(prefix ? prefix.split('/') : []));
  const objects: ListedObject[] = [];
  for await (const object of listObjects(bucket, prefix)) {
    // The object itself, or one under the prefix as a folder (not `prefix2/…`).
    if (object.key === prefix || prefix === '' || object.key.startsWith(`${prefix}/`)) objects.push(object);
  }
  const files = objects.filter((object) => !object.key.endsWith('/')); // folder markers
  if (files.length === 0) throw new NothingToImportError(`no objects at or under ${url}`);
  const jobs = files.map((object) => {
    if (object.key === prefix) return { object, file: target };
    const checked = checkRelativePath(prefix ? object.key.slice(prefix.length + 1) : object.key);
    if (!checked.ok) throw new NothingToImportError(`s3://${bucket}/${object.key}: a key that leads outside ${url} (${checked.reason})`);
    return { object, file: path.join(target, ...checked.path.split('/')) };
  });
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const { object, file } = jobs[next++];
      await download(bucket, object, file);
    }
  };
  await Promise.all(Array.from({ length: Math.min(DOWNLOADS_AT_ONCE, jobs.length) }, worker));
  return target;
}

/** Writes one object to `file` unless a copy of the same size and time is there (written whole, then renamed into place). */
async function download(bucket: string, object: ListedObject, file: string) {
  const stats = fs.statSync(file, { throwIfNoEntry: false });
  if (stats?.isFile() && stats.size === object.size && object.lastModified && stats.mtimeMs === object.lastModified.getTime()) return;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.download`;
  try {
    const { body } = await getObject({ bucket, key: object.key }, object.etag || undefined);
    await pipeline(body, fs.createWriteStream(temp));
    if (object.lastModified) fs.utimesSync(temp, object.lastModified, object.lastModified);
    fs.renameSync(temp, file);
  } catch (error) {
    fs.rmSync(temp, { force: true });
    throw error;
  }
}
