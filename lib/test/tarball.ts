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
  /** A symbolic or hard link to `linkname` instead of a file (its bytes are ignored). */
  type?: 'symlink' | 'link';
  linkname?: string;
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
    if (member.type) {
      const header = { name: member.name, type: member.type, linkname: member.linkname, mtime: new Date(0), mode: 0o777 };
      await new Promise<void>((resolve, reject) => pack.entry(header, (error) => (error ? reject(error) : resolve())));
      continue;
    }
    await new Promise<void>((resolve, reject) =>
      pack.entry({ name: member.name, size: member.bytes.length, mtime: new Date(0), mode: 0o644 }, member.bytes, (error) =>
        error ? reject(error) : resolve(),
      ),
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

/** A real 1x1 PNG (IHDR, IDAT, IEND). */
const TINY_PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC', 'base64');

/**
 * A valid PNG of about `bytes` bytes, different for each `n`: a tiny image with a private
 * ancillary chunk of pseudo-random filler (incompressible, as real PNG data is) after its
 * header, so thousands can be made in a moment.
 */
export function distinctPng(n: number, bytes = 256): Buffer {
  const fill = Math.max(8, bytes - TINY_PNG.length - 12);
  const data = Buffer.alloc(fill);
  data.writeUInt32BE(n >>> 0, 0);
  let x = (n * 2654435761) >>> 0 || 1;
  for (let i = 4; i < fill; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    data[i] = x & 0xff;
  }
  const chunk = Buffer.alloc(12 + fill);
  chunk.writeUInt32BE(fill, 0);
  chunk.write('rNDm', 4, 'latin1');
  data.copy(chunk, 8);
  chunk.writeUInt32BE(zlib.crc32(chunk.subarray(4, 8 + fill)), 8 + fill);
  const afterIhdr = 8 + 25;
  return Buffer.concat([TINY_PNG.subarray(0, afterIhdr), chunk, TINY_PNG.subarray(afterIhdr)]);
}

export interface SyntheticOptions {
  family?: string;
  task?: string;
  /** Bytes of each PNG. */
  pngBytes?: number;
  /**
   * Where the metadata member goes: first (records wait for their images), last (images wait
   * for their records) or sorted (input/, metadata/, output/: what `tar --sort=name` writes).
   */
  metadata?: 'first' | 'last' | 'sorted';
  /** Member name prefix (`gpt-edit/` or ''). */
  prefix?: string;
}

/** The tar members of a task of `n` records, each with its own input and output PNG. */
export function syntheticTask(n: number, options: SyntheticOptions = {}): TarMemberSpec[] {
  const { family = 'omniedit', task = 'synthetic', pngBytes = 256, metadata = 'first', prefix = '' } = options;
  const dir = `${prefix}${family}/${task}`;
  const id = (i: number) => String(i).padStart(8, '0');
  const records = Array.from({ length: n }, (_, i) => ({
    id: `${family}_${task}_${id(i)}`,
    dataset_source: family,
    task,
    input: `input/${id(i)}.png`,
    output: `output/${id(i)}.png`,
    instruction: `Edit number ${i}.`,
    instruction_type: 'original',
  }));
  const meta = { name: `${dir}/metadata/${family}_${task}.json`, bytes: Buffer.from(JSON.stringify(records)) };
  const inputs = records.map((_, i) => ({ name: `${dir}/input/${id(i)}.png`, bytes: distinctPng(2 * i, pngBytes) }));
  const outputs = records.map((_, i) => ({ name: `${dir}/output/${id(i)}.png`, bytes: distinctPng(2 * i + 1, pngBytes) }));
  if (metadata === 'first') return [meta, ...inputs, ...outputs];
  if (metadata === 'last') return [...inputs, ...outputs, meta];
  return [...inputs, meta, ...outputs];
}
