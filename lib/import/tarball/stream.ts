import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import tar from 'tar-stream';
import type { Archive } from './parts';

/** One tar member as it streams by: its header and its bytes (read whole or chunk by chunk, or left: then skipped). */
export interface TarMember {
  name: string;
  size: number;
  type: string;
  /** The member whole (call only for a member of bounded size). */
  read(): Promise<Buffer>;
  /** The member chunk by chunk. */
  chunks(): AsyncIterable<Buffer>;
}

const CHUNK = 1 << 20;

/** The archive cannot be read on (truncated, corrupt): the message names the part. */
export class ArchiveError extends Error {}

/**
 * The parts of one archive read back to back, as one byte stream, through gunzip and tar
 * in one pass: nothing is extracted to disk. `onMember` is awaited before the next member
 * is read, so a slow consumer slows the read instead of buffering. A member it does not
 * read is skipped. Throws when the archive is truncated or corrupt (the message names the
 * part being read).
 */
export async function streamArchive(archive: Archive, progress: { bytesRead: number }, onMember: (member: TarMember) => Promise<void>) {
  const position = { part: archive.parts[0] };
  const compressed = Readable.from(readParts(archive.parts, progress, position), { objectMode: false });
  const extract = tar.extract();
  const gunzip = zlib.createGunzip({ chunkSize: 256 * 1024 });
  const piping = pipeline(compressed, gunzip, extract);
  piping.catch(() => {}); // its error is the iterator's too: thrown below
  // The consumer's own errors (a full disk, the database) pass through as they are; only
  // the stream's are said as a problem of the part.
  let consumerError: unknown;
  let streamError: unknown;
  const consume = async (member: TarMember) => {
    try {
      await onMember(member);
    } catch (error) {
      if (error !== streamError) consumerError = error;
      throw error;
    }
  };
  async function* reading(entry: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    try {
      yield* entry;
    } catch (error) {
      streamError = error; // the member's bytes could not be read: the archive's fault
      throw error;
    }
  }
  try {
    for await (const entry of extract) {
      const { name, size = 0, type = 'file' } = entry.header;
      let consumed = false;
      await consume({
        name,
        size,
        type: type ?? 'file',
        read: async () => {
          consumed = true;
          const chunks: Buffer[] = [];
          for await (const chunk of reading(entry as unknown as AsyncIterable<Buffer>)) chunks.push(chunk);
          return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
        },
        chunks: () => {
          consumed = true;
          return reading(entry as unknown as AsyncIterable<Buffer>);
        },
      });
      if (!consumed) entry.resume(); // skipped: tar-stream moves on once the entry is drained
    }
    await piping;
  } catch (error) {
    if (consumerError !== undefined) throw consumerError;
    throw new ArchiveError(`${path.basename(position.part)}: ${describe(error as Error)}`);
  }
}

async function* readParts(parts: string[], progress: { bytesRead: number }, position: { part: string }): AsyncGenerator<Buffer> {
  for (const part of parts) {
    position.part = part;
    for await (const chunk of fs.createReadStream(part, { highWaterMark: CHUNK }) as AsyncIterable<Buffer>) {
      progress.bytesRead += chunk.length;
      yield chunk;
    }
  }
}

/** zlib's and tar-stream's terse errors, said for a person. */
function describe(error: Error): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'Z_BUF_ERROR' || /unexpected end of file/i.test(error.message))
    return 'the archive ends early (a part is truncated or missing)';
  if (code === 'Z_DATA_ERROR') return `not valid gzip data (${error.message})`;
  if (/unexpected end of data/i.test(error.message))
    return 'the tar stream ends in the middle of a member (a part is truncated or missing)';
  return error.message;
}
