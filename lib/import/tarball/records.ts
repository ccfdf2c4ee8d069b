import { JsonRecordSplitter, type ReadProgress, type RecordEntry, type RecordLimits } from '../json-records';

/**
 * The records of a metadata file arriving as chunks (a tar member, a file beside the parts),
 * split as readJsonRecords splits a file: the same checks and entries, memory bounded by one
 * chunk plus one record. A stream that fails ends with a bad-file entry.
 */
export async function* readRecords(
  chunks: AsyncIterable<Buffer>,
  progress: ReadProgress | undefined,
  limits: RecordLimits,
): AsyncGenerator<RecordEntry> {
  const splitter = new JsonRecordSplitter(limits);
  let ended = false;
  try {
    for await (const chunk of chunks) {
      if (progress) progress.bytesRead += chunk.length;
      if (ended) continue; // a broken file is drained, so the stream moves on to the next member
      yield* splitter.push(chunk);
      ended = splitter.done;
    }
  } catch (error) {
    yield { kind: 'bad-file', reason: `cannot read: ${(error as Error).message}`, start: splitter.received };
    return;
  }
  if (!ended) yield* splitter.end();
}
