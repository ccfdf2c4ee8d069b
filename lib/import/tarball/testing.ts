/**
 * Test and bench helpers: split gzip tarballs of a gpt-edit layout, made with tar-stream and
 * zlib as the release's are made with tar, gzip and split.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import tar from 'tar-stream';

export interface TarMemberSpec {
  name: string;
  bytes: Buffer;
}

export interface PartsOptions {
  /** Bytes per part (the last part holds the rest). */
  partBytes: number;
  /** Digits of the part number (3: `part001`). */
  digits?: number;
  /** The first part's number (1: `part001`). */
  first?: number;
}

/** Every file under a layout root as a tar member named `prefix + relative path`, in sorted order. */
export function layoutMembers(root: string, prefix = ''): TarMemberSpec[] {
  return (fs.readdirSync(root, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((e) => e.isFile())
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort()
    .map((name) => ({ name: prefix + name, bytes: fs.readFileSync(path.join(root, name)) }));
}

/** A gzip-compressed tar of the members, in the order given. */
export async function gzipTar(members: TarMemberSpec[], level = 6): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const gzip = zlib.createGzip({ level });
  gzip.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<void>((resolve, reject) => {
    gzip.on('end', resolve);
    gzip.on('error', reject);
  });
  pack.pipe(gzip);
  for (const member of members) {
    await new Promise<void>((resolve, reject) =>
      pack.entry({ name: member.name, size: member.bytes.length, mtime: new Date(0), mode: 0o644 }, member.bytes, (error) => (error ? reject(error) : resolve())),
    );
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

/** Writes `<dir>/<archive>.partNNN` files of `partBytes` each (as `split -b` does); returns their paths in order. */
export function writeParts(dir: string, archive: string, bytes: Buffer, options: PartsOptions): string[] {
  fs.mkdirSync(dir, { recursive: true });
  const digits = options.digits ?? 3;
  const first = options.first ?? 1;
  const files: string[] = [];
  for (let at = 0, n = first; at < bytes.length; at += options.partBytes, n++) {
    const file = path.join(dir, `${archive}.part${String(n).padStart(digits, '0')}`);
    fs.writeFileSync(file, bytes.subarray(at, at + options.partBytes));
    files.push(file);
  }
  return files;
}
