import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Db } from '@/db';
import { exportGptEdit } from '@/lib/export/gpt-edit';
import { importGptEdit } from '@/lib/import/import-gpt-edit';
import { resolveFormatOf } from '@/lib/import/formats';
import { formatBytes } from '@/lib/import/limits';
import { cleanupTemp, copySamples, SAMPLES_DIR, tempDb, tempDir } from '@/lib/test/factories';
import { importTarball } from './import-tarball';
import { distinctPng, gzipTar, layoutMembers, syntheticTask, writeParts, type TarMemberSpec } from '@/lib/test/tarball';

afterEach(cleanupTemp);

const FAMILIES = ['hqedit', 'omniedit', 'ultraedit'];
/** Parts small enough that members, and the gzip stream, straddle many part boundaries. */
const PART_BYTES = 256 * 1024;

/** The samples as per-family split tarballs in `<temp>/gpt-edit/` (one family's members carry the leading `gpt-edit/`, as both forms occur). */
async function sampleParts(
  options: {
    order?: (members: TarMemberSpec[]) => TarMemberSpec[];
    withoutMetadata?: boolean;
    change?: (m: TarMemberSpec) => TarMemberSpec;
  } = {},
): Promise<string> {
  const dir = path.join(tempDir('loupe-parts-'), 'gpt-edit');
  for (const family of FAMILIES) {
    let members = layoutMembers(path.join(SAMPLES_DIR, family), family === 'hqedit' ? `gpt-edit/${family}/` : `${family}/`);
    if (options.withoutMetadata) members = members.filter((m) => !m.name.includes('/metadata/'));
    if (options.change) members = members.map(options.change);
    if (options.order) members = options.order(members);
    writeParts(dir, `${family}.tar.gz`, await gzipTar(members, 1), { partBytes: PART_BYTES });
  }
  return dir;
}

/** Items as a reviewer and an export see them, in id order. */
function items(db: Db) {
  return db.$client
    .prepare(
      `SELECT i.external_id, i.family, i.task, i.instruction_type, i.metadata, i.source_width, i.source_height, c.width, c.height,
              (SELECT json_group_array(json_array(v.kind, v.text)) FROM (SELECT kind, text FROM instruction_versions WHERE item_id = i.id ORDER BY id) v) AS instructions,
              (SELECT text FROM instruction_versions WHERE id = i.current_instruction_id) AS current
       FROM items i JOIN candidates c ON c.id = i.current_candidate_id ORDER BY i.external_id`,
    )
    .all();
}

function listFiles(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
}

/** Exports every item and returns the folder. */
async function exportAll(db: Db): Promise<string> {
  const out = path.join(tempDir('loupe-export-'), 'out');
  await exportGptEdit(db, { out, status: 'all' });
  return out;
}

/**
 * Every exported record with its two images' bytes, by id. Images imported from a tarball
 * live in the content-addressed store, so the export names them by their hash (as it names
 * parquet and downloaded images): the records' input/output fields differ, their bytes must not.
 */
function exportedRecords(out: string) {
  const records = new Map<string, { record: Record<string, unknown>; input: Buffer; output: Buffer }>();
  for (const file of listFiles(out).filter((f) => f.includes('/metadata/'))) {
    const taskDir = path.join(out, path.dirname(path.dirname(file)));
    for (const record of JSON.parse(fs.readFileSync(path.join(out, file), 'utf8')) as Record<string, unknown>[]) {
      const { input, output, ...rest } = record;
      records.set(record.id as string, {
        record: rest,
        input: fs.readFileSync(path.join(taskDir, input as string)),
        output: fs.readFileSync(path.join(taskDir, output as string)),
      });
    }
  }
  return records;
}

function expectSameExport(reference: string, imported: string) {
  const expected = exportedRecords(reference);
  const actual = exportedRecords(imported);
  expect(expected.size).toBe(12);
  expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
  for (const [id, want] of expected) {
    const got = actual.get(id)!;
    expect(got.record, id).toEqual(want.record);
    expect(got.input.equals(want.input), `${id} input`).toBe(true);
    expect(got.output.equals(want.output), `${id} output`).toBe(true);
  }
}

async function layoutReference() {
  const { db } = tempDb();
  await importGptEdit(db, copySamples());
  return db;
}

function storeFiles(db: Db): string[] {
  const dir = path.join(path.dirname(db.$client.name), 'images');
  return listFiles(dir).filter((f) => !f.endsWith('.tmp'));
}

describe('importTarball', () => {
  it('imports split tarballs as the extracted layout imports: the same items, byte-identical images in an export', async () => {
    const reference = await layoutReference();
    const parts = await sampleParts();
    expect(fs.readdirSync(parts).length).toBeGreaterThan(FAMILIES.length * 3); // several parts per family

    const { db } = tempDb();
    const { format, run } = await resolveFormatOf([parts]);
    expect(format.name).toBe('gpt-edit-tarball');
    const progress: { bytesRead: number; bytesTotal: number; records: number }[] = [];
    const summary = await run(db, { onProgress: (p) => progress.push({ ...p }) });
    const partBytes = fs.readdirSync(parts).reduce((sum, f) => sum + fs.statSync(path.join(parts, f)).size, 0);
    expect(progress.at(-1)).toEqual({ bytesRead: partBytes, bytesTotal: partBytes, records: 12 });
    expect(summary).toMatchObject({
      dataset: 'gpt-edit',
      format: 'gpt-edit-tarball',
      imported: 12,
      alreadyPresent: 0,
      skipped: 0,
      problems: [],
    });
    expect(items(db)).toEqual(items(reference));
    expectSameExport(await exportAll(reference), await exportAll(db));
    // The store holds each image once (the samples reuse some pictures): one file per distinct content.
    const distinct = new Set(
      layoutMembers(SAMPLES_DIR)
        .filter((m) => m.name.endsWith('.png'))
        .map((m) => m.bytes.toString('base64')),
    );
    expect(storeFiles(db)).toHaveLength(distinct.size);
  });

  it('takes the parts themselves as several paths, and a re-import is a no-op', async () => {
    const parts = await sampleParts();
    const files = fs
      .readdirSync(parts)
      .sort()
      .map((f) => path.join(parts, f));
    const { db } = tempDb();
    const { run } = await resolveFormatOf(files);
    expect(await run(db, {})).toMatchObject({ imported: 12, skipped: 0 });
    const stored = storeFiles(db).map((f) => [f, fs.statSync(path.join(path.dirname(db.$client.name), 'images', f)).mtimeMs]);

    const again = await importTarball(db, [parts]);
    expect(again).toMatchObject({ imported: 0, alreadyPresent: 12, skipped: 0, problems: [] });
    expect(db.$client.prepare('SELECT count(*) FROM items').pluck().get()).toBe(12);
    expect(db.$client.prepare('SELECT sum(n) FROM item_counts').pluck().get()).toBe(12);
    expect(storeFiles(db).map((f) => [f, fs.statSync(path.join(path.dirname(db.$client.name), 'images', f)).mtimeMs])).toEqual(stored);
  });

  it('imports a whole tarball (not split) given as one file', async () => {
    const dir = path.join(tempDir('loupe-parts-'), 'gpt-edit');
    fs.mkdirSync(dir);
    const file = path.join(dir, 'hqedit.tar.gz');
    fs.writeFileSync(file, await gzipTar(layoutMembers(path.join(SAMPLES_DIR, 'hqedit'), './hqedit/'), 1));
    const { db } = tempDb();
    const { format, run } = await resolveFormatOf([file]);
    expect(format.name).toBe('gpt-edit-tarball');
    expect(await run(db, {})).toMatchObject({ dataset: 'gpt-edit', files: 1, imported: 3, skipped: 0, problems: [] });
  });

  it('counts records already imported without waiting for their images, as the layout import does', async () => {
    const { db } = tempDb();
    expect(await importTarball(db, [await sampleParts()])).toMatchObject({ imported: 12 });
    // Parts that lost an image: the record it belongs to is already there, so nothing is missing.
    const lacking = await sampleParts({
      change: (m) => (m.name === 'omniedit/env/input/00000005.png' ? { ...m, name: 'omniedit/env/input/gone.png' } : m),
    });
    expect(await importTarball(db, [lacking])).toMatchObject({ imported: 0, alreadyPresent: 12, skipped: 0, problems: [] });
  });

  it('reads metadata beside the parts, in the layout or as loose files', async () => {
    const reference = await layoutReference();
    const parts = await sampleParts({ withoutMetadata: true });
    // hqedit's metadata in its task folders beside the parts, the others loose.
    for (const member of layoutMembers(SAMPLES_DIR).filter((m) => m.name.includes('/metadata/'))) {
      const target = member.name.startsWith('hqedit/') ? path.join(parts, member.name) : path.join(parts, path.basename(member.name));
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, member.bytes);
    }
    const { db } = tempDb();
    expect(await importTarball(db, [parts])).toMatchObject({ imported: 12, skipped: 0, problems: [] });
    expect(items(db)).toEqual(items(reference));
    expectSameExport(await exportAll(reference), await exportAll(db));
  });

  it('matches records to images that come before or after their metadata', async () => {
    const reference = await layoutReference();
    const metadataLast = (members: TarMemberSpec[]) => [
      ...members.filter((m) => !m.name.includes('/metadata/')),
      ...members.filter((m) => m.name.includes('/metadata/')),
    ];
    const metadataFirst = (members: TarMemberSpec[]) => [
      ...members.filter((m) => m.name.includes('/metadata/')),
      ...members.filter((m) => !m.name.includes('/metadata/')),
    ];
    for (const order of [metadataLast, metadataFirst]) {
      const { db } = tempDb();
      expect(await importTarball(db, [await sampleParts({ order })]), order.name).toMatchObject({ imported: 12, skipped: 0, problems: [] });
      expect(items(db)).toEqual(items(reference));
    }
  });

  it('refuses a missing part, a duplicate and parts given out of order, naming the part, before importing anything', async () => {
    const parts = await sampleParts();
    const { db } = tempDb();
    const files = fs
      .readdirSync(parts)
      .sort()
      .map((f) => path.join(parts, f));
    const hq = files.filter((f) => path.basename(f).startsWith('hqedit.'));

    const outOfOrder = [hq[1], hq[0], ...hq.slice(2)];
    await expect(importTarball(db, outOfOrder)).rejects.toThrow(
      'hqedit.tar.gz.part001 is given after hqedit.tar.gz.part002: give the parts in order',
    );

    fs.copyFileSync(hq[1], path.join(parts, 'hqedit.tar.gz.part2'));
    await expect(importTarball(db, [parts])).rejects.toThrow(/hqedit\.tar\.gz\.part(2|002) is a duplicate of part (002|2)/);
    fs.rmSync(path.join(parts, 'hqedit.tar.gz.part2'));

    fs.rmSync(hq[2]);
    await expect(importTarball(db, [parts])).rejects.toThrow(
      'hqedit.tar.gz.part003 is missing (between hqedit.tar.gz.part002 and hqedit.tar.gz.part004)',
    );
    fs.rmSync(hq[0]);
    await expect(importTarball(db, [parts])).rejects.toThrow(
      'hqedit.tar.gz.part001 is missing (the first part given is hqedit.tar.gz.part002)',
    );
    expect(db.$client.prepare('SELECT count(*) FROM import_runs').pluck().get()).toBe(0);
    expect(db.$client.prepare('SELECT count(*) FROM datasets').pluck().get()).toBe(0);
  });

  it('reports a corrupt image and an image missing from the archive with where each came from; the rest is imported', async () => {
    const parts = await sampleParts({
      change: (m) => {
        if (m.name === 'gpt-edit/hqedit/edit/output/00000002.png') return { ...m, bytes: m.bytes.subarray(0, 5000) }; // truncated
        if (m.name === 'omniedit/env/input/00000005.png') return { ...m, name: 'omniedit/env/input/renamed.png' }; // never named by a record
        return m;
      },
    });
    const { db } = tempDb();
    const summary = await importTarball(db, [parts]);
    expect(summary).toMatchObject({ imported: 10, skipped: 2 });
    expect(summary.problems).toEqual([
      {
        file: 'hqedit.tar.gz:gpt-edit/hqedit/edit/metadata/hqedit_edit.json',
        record: 'hqedit_edit_00000002',
        reason:
          'output output/00000002.png: truncated PNG (its IDAT chunk runs past the end of the file) (hqedit.tar.gz: gpt-edit/hqedit/edit/output/00000002.png)',
      },
      {
        file: 'omniedit.tar.gz:omniedit/env/metadata/omniedit_env.json',
        record: 'omniedit_env_00000005',
        reason: 'input input/00000005.png: not in the archive (no member omniedit/env/input/00000005.png)',
      },
    ]);
  });

  it('reports a truncated archive naming its last part, keeps what was read, and names the records cut off', async () => {
    const parts = await sampleParts();
    const ultra = fs
      .readdirSync(parts)
      .filter((f) => f.startsWith('ultraedit.'))
      .sort();
    const last = path.join(parts, ultra.at(-1)!);
    fs.truncateSync(last, Math.floor(fs.statSync(last).size / 2));
    const { db } = tempDb();
    const summary = await importTarball(db, [parts]);
    expect(summary.problems).toContainEqual({
      file: 'ultraedit.tar.gz',
      reason: `${ultra.at(-1)}: the archive ends early (a part is truncated or missing)`,
    });
    const cutOff = summary.problems.filter((p) => p.record !== undefined);
    expect(cutOff.length).toBeGreaterThan(0);
    for (const problem of cutOff) expect(problem.reason).toMatch(/^(input|output) \S+: not in the archive \(no member ultraedit\//);
    expect(summary.imported).toBe(12 - cutOff.length);
    expect(summary.imported).toBeGreaterThanOrEqual(8); // hqedit and omniedit whole
  });

  it('says which first part is not gzip before any work: an earlier part is missing, or it is not gzip at all', async () => {
    const dir = path.join(tempDir('loupe-parts-'), 'gpt-edit');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'hqedit.tar.gz.part001'), 'this is not a gzip file at all');
    const { db } = tempDb();
    await expect(importTarball(db, [dir])).rejects.toThrow(
      'hqedit.tar.gz.part001 does not start a gzip stream: an earlier part (hqedit.tar.gz.part000) is missing, or it is not the first part',
    );
    fs.rmSync(path.join(dir, 'hqedit.tar.gz.part001'));
    fs.writeFileSync(path.join(dir, 'hqedit.tar.gz'), 'this is not a gzip file at all');
    await expect(importTarball(db, [dir])).rejects.toThrow('hqedit.tar.gz is not gzip data (it does not start with 1f 8b)');
    expect(db.$client.prepare('SELECT count(*) FROM import_runs').pluck().get()).toBe(0);
    expect(db.$client.prepare('SELECT count(*) FROM datasets').pluck().get()).toBe(0);
  });

  it('split -d numbering from 000 with part000 missing: names part000 before any work', async () => {
    const dir = path.join(tempDir('loupe-parts-'), 'gpt-edit');
    const members = layoutMembers(path.join(SAMPLES_DIR, 'hqedit'), 'hqedit/');
    const files = writeParts(dir, 'hqedit.tar.gz', await gzipTar(members, 1), { partBytes: 64 * 1024, first: 0 });
    expect(files.length).toBeGreaterThan(2);
    fs.rmSync(files[0]);
    const { db } = tempDb();
    await expect(importTarball(db, [dir])).rejects.toThrow(
      'hqedit.tar.gz.part001 does not start a gzip stream: an earlier part (hqedit.tar.gz.part000) is missing, or it is not the first part',
    );
    expect(db.$client.prepare('SELECT count(*) FROM import_runs').pluck().get()).toBe(0);
  });

  it('refuses an image member over the size limit without reading it, and passes over members named outside the layout', async () => {
    const big = layoutMembers(path.join(SAMPLES_DIR, 'hqedit'), 'hqedit/').find((m) => m.name === 'hqedit/edit/input/00000001.png')!;
    const members = [
      ...layoutMembers(path.join(SAMPLES_DIR, 'hqedit'), 'hqedit/'),
      { name: '../../outside/input/00000001.png', bytes: big.bytes },
      { name: '/etc/input/x.png', bytes: big.bytes },
      { name: 'README.md', bytes: Buffer.from('hello') },
    ];
    const dir = path.join(tempDir('loupe-parts-'), 'gpt-edit');
    writeParts(dir, 'hqedit.tar.gz', await gzipTar(members, 1), { partBytes: PART_BYTES });
    const { db } = tempDb();
    const summary = await importTarball(db, [dir], { maxImageBytes: 400 * 1024 });
    expect(big.bytes.length).toBeGreaterThan(400 * 1024);
    expect(summary.problems).toContainEqual({
      file: 'hqedit.tar.gz:hqedit/edit/metadata/hqedit_edit.json',
      record: 'hqedit_edit_00000001',
      reason: `input input/00000001.png: image is ${formatBytes(big.bytes.length)}, more than the limit of 400 KiB (hqedit.tar.gz: hqedit/edit/input/00000001.png)`,
    });
    expect(summary.imported + summary.skipped).toBe(3);
  });

  it('links and names with .. are never images: the records naming them are "not in the archive", and nothing is followed', async () => {
    const secret = path.join(tempDir('loupe-secret-'), 'secret.png');
    const layout = layoutMembers(path.join(SAMPLES_DIR, 'hqedit'), 'hqedit/');
    const real = (name: string) => layout.find((m) => m.name === name)!;
    fs.writeFileSync(secret, real('hqedit/edit/input/00000001.png').bytes); // a valid image a link could reach
    const replaced = new Set(['hqedit/edit/input/00000001.png', 'hqedit/edit/input/00000002.png', 'hqedit/generate/output/00000003.png']);
    const members: TarMemberSpec[] = [
      ...layout.filter((m) => !replaced.has(m.name)),
      { name: 'hqedit/edit/input/00000001.png', bytes: Buffer.alloc(0), type: 'symlink', linkname: secret },
      { name: 'hqedit/edit/input/00000002.png', bytes: Buffer.alloc(0), type: 'link', linkname: 'hqedit/edit/output/00000002.png' },
      // GNU tar refuses a member whose name holds `..`; so does the import, rather than reading it as output/00000003.png.
      { name: 'hqedit/generate/input/../output/00000003.png', bytes: real('hqedit/generate/output/00000003.png').bytes },
    ];
    const dir = path.join(tempDir('loupe-parts-'), 'gpt-edit');
    writeParts(dir, 'hqedit.tar.gz', await gzipTar(members, 1), { partBytes: PART_BYTES });
    const { db } = tempDb();
    const summary = await importTarball(db, [dir]);
    const file = 'hqedit.tar.gz:hqedit/edit/metadata/hqedit_edit.json';
    expect(summary.problems).toEqual([
      {
        file,
        record: 'hqedit_edit_00000001',
        reason: 'input input/00000001.png: not in the archive (no member hqedit/edit/input/00000001.png)',
      },
      {
        file,
        record: 'hqedit_edit_00000002',
        reason: 'input input/00000002.png: not in the archive (no member hqedit/edit/input/00000002.png)',
      },
      {
        file: 'hqedit.tar.gz:hqedit/generate/metadata/hqedit_generate.json',
        record: 'hqedit_generate_00000003',
        reason: 'output output/00000003.png: not in the archive (no member hqedit/generate/output/00000003.png)',
      },
    ]);
    expect(summary).toMatchObject({ imported: 0, skipped: 3 });
  });

  it('holds at most maxWaitingBytes of waiting records in memory: the rest are parked on disk and still paired or reported', async () => {
    // tar --sort=name order: every record waits for its output; two outputs are missing.
    const members = syntheticTask(300, { metadata: 'sorted' }).filter(
      (m) => !m.name.endsWith('/output/00000010.png') && !m.name.endsWith('/output/00000290.png'),
    );
    const dir = path.join(tempDir('loupe-parts-'), 'gpt-edit');
    writeParts(dir, 'omniedit.tar.gz', await gzipTar(members, 1), { partBytes: 64 * 1024 });
    const { db } = tempDb();
    const summary = await importTarball(db, [dir], { maxWaitingBytes: 8 * 1024 });
    expect(summary).toMatchObject({ imported: 298, skipped: 2 });
    expect(summary.problems.map((p) => p.record).sort()).toEqual(['omniedit_synthetic_00000010', 'omniedit_synthetic_00000290']);
    expect(summary.problems[0].reason).toMatch(/^output output\/\d+\.png: not in the archive/);
    // The scratch database is gone.
    expect(fs.readdirSync(path.dirname(db.$client.name)).filter((f) => f.includes('scratch'))).toEqual([]);
  });

  it('writes a batch once its records reach batchBytes, not only every 2000 records', async () => {
    const members = syntheticTask(60, { metadata: 'last' });
    const dir = path.join(tempDir('loupe-parts-'), 'gpt-edit');
    writeParts(dir, 'omniedit.tar.gz', await gzipTar(members, 1), { partBytes: 1 << 20 });
    const { db } = tempDb();
    const written: number[] = [];
    let last = 0;
    const summary = await importTarball(db, [dir], {
      batchBytes: 2000,
      onProgress: () => {
        const items = db.$client.prepare('SELECT count(*) FROM items').pluck().get() as number;
        if (items !== last) written.push(items - last);
        last = items;
      },
    });
    expect(summary).toMatchObject({ imported: 60 });
    expect(written.length).toBeGreaterThan(3);
    for (const n of written) expect(n).toBeLessThan(30);
  });

  it('reports a second member of the same name (the first one is used), and reads metadata in the archive and beside it once', async () => {
    const layout = layoutMembers(path.join(SAMPLES_DIR, 'hqedit'), 'hqedit/');
    const first = layout.find((m) => m.name === 'hqedit/edit/output/00000001.png')!;
    const meta = layout.find((m) => m.name.includes('/metadata/'))!;
    const members = [...layout, { name: first.name, bytes: distinctPng(7) }, meta];
    const dir = path.join(tempDir('loupe-parts-'), 'gpt-edit');
    writeParts(dir, 'hqedit.tar.gz', await gzipTar(members, 1), { partBytes: PART_BYTES });
    fs.mkdirSync(path.join(dir, 'hqedit/edit/metadata'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'hqedit/edit/metadata', path.basename(meta.name)), meta.bytes);
    fs.writeFileSync(path.join(dir, path.basename(meta.name)), meta.bytes); // and loose
    const { db } = tempDb();
    let records = 0;
    const summary = await importTarball(db, [dir], { onProgress: (p) => (records = p.records) });
    expect(summary).toMatchObject({ imported: 3, alreadyPresent: 0, skipped: 0 });
    expect(records).toBe(3);
    expect(summary.problems).toEqual([
      { file: `hqedit.tar.gz: ${first.name}`, reason: `a second member for image ${first.name}: the first one in the stream is used` },
      { file: `hqedit.tar.gz:${meta.name}`, reason: `a second member for metadata ${meta.name}: the first one in the stream is used` },
    ]);
    const records2 = exportedRecords(await exportAll(db));
    expect(records2.get('hqedit_edit_00000001')!.output.equals(first.bytes)).toBe(true);
  });

  it('stores identical images once even when they stream by back to back, and every item exports', async () => {
    const members = syntheticTask(40, { metadata: 'last' }).map(
      (m) => (m.name.includes('/input/') ? { ...m, bytes: distinctPng(0) } : m), // every record has the same source image
    );
    const dir = path.join(tempDir('loupe-parts-'), 'gpt-edit');
    writeParts(dir, 'omniedit.tar.gz', await gzipTar(members, 1), { partBytes: 4096 });
    const { db } = tempDb();
    expect(await importTarball(db, [dir])).toMatchObject({ imported: 40, skipped: 0 });
    expect(storeFiles(db)).toHaveLength(41);
    const out = path.join(tempDir('loupe-export-'), 'out');
    expect(await exportGptEdit(db, { out, status: 'all' })).toMatchObject({ items: 40, problems: [] });
  });
});
