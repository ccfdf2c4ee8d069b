/**
 * Property-based tests (fast-check) of the JSON and JSON Lines splitter: any chunking gives
 * the same records, and arbitrary bytes never throw, never hang, and are accounted for
 * byte by byte as records, refused records or the broken rest of the file.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JsonRecordSplitter, type RecordEntry, type RecordLimits } from './json-records';
import { DEFAULT_LIMITS, formatBytes } from './limits';

const RUNS = 300;
const DEFAULT: RecordLimits = { maxRecordBytes: DEFAULT_LIMITS.maxRecordBytes, maxDepth: DEFAULT_LIMITS.maxDepth };

/** `bytes` cut at `cuts` (positions taken modulo the length), pushed piece by piece. */
function split(bytes: Buffer, cuts: number[], limits: RecordLimits = DEFAULT): RecordEntry[] {
  const at = [...new Set(cuts.map((c) => (bytes.length ? c % (bytes.length + 1) : 0)))].sort((a, b) => a - b);
  const splitter = new JsonRecordSplitter(limits);
  const out: RecordEntry[] = [];
  let from = 0;
  for (const to of [...at, bytes.length]) {
    out.push(...splitter.push(bytes.subarray(from, to)));
    from = to;
  }
  out.push(...splitter.end());
  return out;
}

const record = fc.dictionary(fc.string({ unit: 'binary', maxLength: 8 }), fc.jsonValue({ maxDepth: 4 }), { maxKeys: 6 });
const cuts = fc.array(fc.nat(), { maxLength: 12 });
/** Whitespace JSON allows between tokens. */
const space = fc.constantFrom('', ' ', '\n', '\r\n', '\t ');

function serialize(records: object[], format: 'json' | 'jsonl', gap: string, indent: boolean): Buffer {
  const texts = records.map((r) => JSON.stringify(r, null, format === 'json' && indent ? 2 : undefined));
  if (format === 'jsonl') return Buffer.from(texts.join(gap.includes('\n') ? gap : '\n') + (gap.includes('\n') ? '\n' : ''));
  return Buffer.from(`${gap}[${gap}${texts.join(`${gap},${gap}`)}${gap}]${gap}`);
}

describe('JsonRecordSplitter: properties', () => {
  it('gives every record of a valid stream, the same whatever the chunking', () => {
    fc.assert(
      fc.property(
        fc.array(record, { maxLength: 8 }),
        fc.constantFrom('json', 'jsonl'),
        space,
        fc.boolean(),
        fc.boolean(),
        cuts,
        (records, format, gap, indent, bom, cutAt) => {
          if (format === 'jsonl' && records.length === 0) return; // an empty JSON Lines file is an empty file
          const body = serialize(records, format as 'json' | 'jsonl', gap, indent);
          const bytes = bom ? Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), body]) : body;
          const whole = split(bytes, []);
          expect(split(bytes, cutAt)).toEqual(whole);
          expect(whole.every((e) => e.kind === 'record')).toBe(true);
          expect(whole.map((e) => (e as { value: unknown }).value)).toEqual(records.map((r) => JSON.parse(JSON.stringify(r))));
          expect(whole.map((e) => e.kind === 'record' && e.index)).toEqual(records.map((_, i) => i));
          for (const e of whole) if (e.kind === 'record') expect(bytes.subarray(e.start, e.end).toString().trimEnd()).toBe(e.text);
        },
      ),
      { numRuns: RUNS },
    );
  });

  // Bytes that make JSON structure, with a few that are not UTF-8: more interesting than uniform noise.
  const jsonish = fc
    .array(
      fc.oneof(
        fc.constantFrom(...'{}[]",:\\ \n\r\tab01'.split('').map((c) => Buffer.from(c))),
        fc.constantFrom(
          Buffer.from('"x"'),
          Buffer.from('{"a":1}'),
          Buffer.from([0xff]),
          Buffer.from([0xe2, 0x82]),
          Buffer.from([0xef, 0xbb, 0xbf]),
        ),
      ),
      { maxLength: 80 },
    )
    .map((parts) => Buffer.concat(parts));
  const anyBytes = fc.oneof(
    jsonish,
    fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)),
  );
  const limits = fc.oneof(
    fc.constant(DEFAULT),
    fc.record({ maxRecordBytes: fc.integer({ min: 1, max: 40 }), maxDepth: fc.integer({ min: 1, max: 4 }) }),
  );

  it('never throws on arbitrary bytes, gives the same entries for any chunking, and accounts for every byte', () => {
    fc.assert(
      fc.property(anyBytes, cuts, limits, (bytes, cutAt, limit) => {
        const whole = split(bytes, [], limit);
        expect(split(bytes, cutAt, limit)).toEqual(whole);

        // At most one bad-file entry, and it is the last.
        const broken = whole.findIndex((e) => e.kind === 'bad-file');
        if (broken >= 0) expect(broken).toBe(whole.length - 1);
        // Records are numbered in order; their spans are in order and do not overlap.
        const spans = whole.filter((e) => e.kind !== 'bad-file') as { index: number; start: number; end: number }[];
        spans.forEach((s, i) => {
          expect(s.index).toBe(i);
          expect(s.start).toBeLessThan(s.end);
          if (i > 0) expect(s.start).toBeGreaterThanOrEqual(spans[i - 1].end);
        });
        // Every byte is in a record (good or refused), in the broken rest, or is structure
        // between records: whitespace, [ ] , or the byte-order mark.
        const covered = new Uint8Array(bytes.length);
        for (const s of spans) covered.fill(1, s.start, s.end);
        if (broken >= 0) covered.fill(1, Math.min((whole[broken] as { start: number }).start, bytes.length));
        const bom = bytes.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf])) ? 3 : 0;
        for (let i = bom; i < bytes.length; i++) {
          if (!covered[i])
            expect(' \t\r\n[],'.includes(String.fromCharCode(bytes[i])), `byte ${i} (${bytes[i]}) of ${bytes.toString('hex')}`).toBe(true);
        }
        // A refused record is refused for a reason within the limits.
        for (const e of whole) {
          if (e.kind === 'record') {
            expect(e.end - e.start).toBeLessThanOrEqual(limit.maxRecordBytes + 1); // + a CR before the line end
          }
        }
      }),
      { numRuns: RUNS * 3 },
    );
  });

  it('refuses exactly the records over the size or depth limit, and reads the others', () => {
    const maybeBig = fc.oneof(
      record,
      fc.integer({ min: 1, max: 300 }).map((n) => ({ pad: 'p'.repeat(n) })),
      fc.integer({ min: 1, max: 12 }).map((n) => ({ deep: JSON.parse('['.repeat(n) + ']'.repeat(n)) })),
    );
    fc.assert(
      fc.property(fc.array(maybeBig, { minLength: 1, maxLength: 8 }), fc.constantFrom('json', 'jsonl'), cuts, (records, format, cutAt) => {
        const limit = { maxRecordBytes: 120, maxDepth: 5 };
        const texts = records.map((r) => JSON.stringify(r));
        const bytes = serialize(records, format as 'json' | 'jsonl', '', false);
        const entries = split(bytes, cutAt, limit);
        expect(entries).toHaveLength(records.length);
        entries.forEach((entry, i) => {
          const size = Buffer.byteLength(texts[i]);
          const depth = depthOf(JSON.parse(texts[i]));
          if (size > limit.maxRecordBytes || depth > limit.maxDepth) {
            expect(entry).toMatchObject({ kind: 'bad-record', index: i });
            const reason = (entry as { reason: string }).reason;
            // The size as people read it: bytes below 1 KiB, then KiB (a record of wide characters can pass 1 KiB).
            if (size > limit.maxRecordBytes) expect(reason).toContain(`record is ${formatBytes(size)}, more than the limit of 120 bytes`);
            if (depth > limit.maxDepth) expect(reason).toContain(`record nests ${depth} levels deep, more than the limit of 5`);
          } else {
            expect(entry).toMatchObject({ kind: 'record', index: i, text: texts[i] });
          }
        });
      }),
      { numRuns: RUNS },
    );
  });
});

function depthOf(value: unknown): number {
  if (value === null || typeof value !== 'object') return 0;
  const children = Array.isArray(value) ? value : Object.values(value);
  return 1 + Math.max(0, ...children.map(depthOf));
}
