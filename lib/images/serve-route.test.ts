import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importGptEdit } from '@/lib/import/import-gpt-edit';
import { gptEditRecord, pngBuffer, tempDir, writeGptEditLayout } from '@/lib/test/factories';
import { bombPng, SVG_WITH_SCRIPT } from '@/lib/test/images';
import { callRoute, closeRoutes, routeHandler, signInRoles } from '@/lib/test/routes';

/**
 * The image route as a signed-in annotator sees it: files swapped after import (for a link
 * to a server file, or for another file) are refused with a reason and none of their bytes.
 */
const ROUTE = 'app/api/images/[kind]/[id]/route.ts';
let cookie: string;
let taskDir: string;
let sql: import('better-sqlite3').Database;

const name = (n: number) => `${String(n).padStart(8, '0')}.png`;
const get = (kind: string, id: string, size = 'full') =>
  callRoute(ROUTE, 'GET', { url: `/api/images/${kind}/${id}?size=${size}`, cookie, params: { kind, id } });

beforeAll(async () => {
  cookie = (await signInRoles(['annotator'])).get('annotator')!;
  const root = path.join(tempDir('loupe-serve-'), 'gpt-edit');
  const records = Array.from({ length: 9 }, (_, i) => gptEditRecord('omniedit', 'style', i + 1));
  ({ taskDir } = await writeGptEditLayout(root, records, { family: 'omniedit', task: 'style' }));
  const { getDb } = await import('@/db');
  const summary = await importGptEdit(getDb(), root);
  expect(summary.imported).toBe(9);
  sql = getDb().$client;
});

afterAll(closeRoutes);

const itemOf = (n: number) =>
  sql
    .prepare('SELECT id, current_candidate_id AS candidate FROM items WHERE external_id = ?')
    .get(`omniedit_style_${name(n).slice(0, 8)}`) as {
    id: number;
    candidate: number;
  };

describe('GET /api/images/:kind/:id', () => {
  it('serves an imported image, full and as a preview', async () => {
    const { id, candidate } = itemOf(1);
    const full = await get('source', String(id));
    expect(full.status).toBe(200);
    expect(full.headers.get('content-type')).toBe('image/png');
    expect(Number(full.headers.get('content-length'))).toBe(fs.statSync(path.join(taskDir, 'input', name(1))).size);
    const preview = await get('candidate', String(candidate), 'preview');
    expect(preview.status).toBe(200);
    expect(preview.headers.get('content-type')).toBe('image/webp');
  });

  it('takes ids only as decimal integers', async () => {
    const { id } = itemOf(1);
    expect(id).toBe(1);
    for (const bad of ['0x1', '1e0', ' 1', '01', '1.0', '-1', '+1', '1 ', '0', '99999999999999999']) {
      const response = await get('source', bad);
      expect(response.status, JSON.stringify(bad)).toBe(400);
      expect(response.json.error, bad).toBe('invalid request: id: must be a positive decimal integer id');
    }
    expect((await get('source', '1')).status).toBe(200);
  });

  it('refuses a file swapped for a link to a server file after import, sending none of it', async () => {
    const { id } = itemOf(2);
    const file = path.join(taskDir, 'input', name(2));
    fs.rmSync(file);
    fs.symlinkSync('/etc/passwd', file);
    for (const size of ['full', 'preview']) {
      const response = await get('source', String(id), size);
      expect(response.status).toBe(404);
      expect(response.json).toEqual({ error: `source ${id}: not served: image file leads outside its folder (a link to elsewhere)` });
      expect(response.text).not.toContain('root:');
    }
  });

  it('refuses a file swapped for a link to another image of the dataset, or replaced by another file', async () => {
    const linked = itemOf(3);
    const file = path.join(taskDir, 'input', name(3));
    fs.rmSync(file);
    fs.symlinkSync(path.join(taskDir, 'output', name(3)), file); // inside the root, but not the file imported
    const swapped = await get('source', String(linked.id));
    expect(swapped.status).toBe(404);
    expect(swapped.json.error).toBe(`source ${linked.id}: not served: image file changed since it was imported`);

    const replaced = itemOf(4);
    const output = path.join(taskDir, 'output', name(4));
    fs.writeFileSync(`${output}.new`, await pngBuffer(10, 10));
    fs.renameSync(`${output}.new`, output); // a new file (new inode) under the same name
    for (const size of ['full', 'preview']) {
      const response = await get('candidate', String(replaced.candidate), size);
      expect(response.status).toBe(404);
      expect(response.json.error).toBe(`candidate ${replaced.candidate}: not served: image file changed since it was imported`);
    }
  });

  it('still serves a file rewritten in place (same file), and one imported before identities were recorded', async () => {
    const { id } = itemOf(5);
    const file = path.join(taskDir, 'input', name(5));
    fs.writeFileSync(file, await pngBuffer(20, 20)); // same inode, new bytes: a new ETag, still the file imported
    expect((await get('source', String(id))).status).toBe(200);

    const legacy = itemOf(6);
    sql.prepare('UPDATE items SET source_file_id = NULL WHERE id = ?').run(legacy.id);
    expect((await get('source', String(legacy.id))).status).toBe(200);
    // Its identity is recorded on that first serve: from then on a swapped file is caught.
    const legacyFile = path.join(taskDir, 'input', name(6));
    const stat = fs.statSync(legacyFile, { bigint: true });
    expect(sql.prepare('SELECT source_file_id FROM items WHERE id = ?').pluck().get(legacy.id)).toBe(`${stat.dev}:${stat.ino}`);
    fs.writeFileSync(`${legacyFile}.new`, await pngBuffer(12, 12));
    fs.renameSync(`${legacyFile}.new`, legacyFile);
    expect((await get('source', String(legacy.id))).json.error).toBe(
      `source ${legacy.id}: not served: image file changed since it was imported`,
    );
    fs.rmSync(legacyFile);
    fs.symlinkSync('/etc/passwd', legacyFile); // no identity to compare, but the root still holds
    expect((await get('source', String(legacy.id))).json.error).toBe(
      `source ${legacy.id}: not served: image file leads outside its folder (a link to elsewhere)`,
    );
  });

  it('never decodes a preview of an image over the pixel limit (one imported under a larger limit)', async () => {
    const { candidate } = itemOf(5); // no preview of it cached yet
    process.env.LOUPE_MAX_IMAGE_PIXELS = '100';
    try {
      const response = await get('candidate', String(candidate), 'preview');
      expect(response.status).toBe(404);
      expect(response.json.error).toBe(`candidate ${candidate}: not served: image is 32x24, over the 100-pixel limit`);
    } finally {
      delete process.env.LOUPE_MAX_IMAGE_PIXELS;
    }
  });

  it('never decodes a preview of a file rewritten in place (same file) to SVG or to a decompression bomb', async () => {
    for (const [n, bytes, reason] of [
      [7, SVG_WITH_SCRIPT, 'SVG is not an accepted image type'],
      [8, bombPng(), 'image is 30000x30000, over the 100-megapixel limit'],
    ] as const) {
      const { id } = itemOf(n);
      fs.writeFileSync(path.join(taskDir, 'input', name(n)), bytes); // in place: same dev:ino
      const response = await get('source', String(id), 'preview');
      expect(response.status).toBe(404);
      expect(response.json.error).toBe(`source ${id}: not served: ${reason}`);
    }
  });

  it('takes a mask only under the item’s own root and with its recorded identity (a record can forge one)', async () => {
    const { id } = itemOf(9);
    const elsewhere = tempDir('loupe-other-root-');
    fs.writeFileSync(path.join(elsewhere, 'secret.png'), await pngBuffer(8, 8));
    const stat = fs.statSync(path.join(elsewhere, 'secret.png'), { bigint: true });
    const otherRoot = Number(sql.prepare('INSERT INTO image_roots (path) VALUES (?)').run(fs.realpathSync(elsewhere)).lastInsertRowid);
    const ownRoot = sql.prepare('SELECT source_root_id FROM items WHERE id = ?').pluck().get(id);
    const forge = (mask: object) => sql.prepare('UPDATE items SET metadata = ? WHERE id = ?').run(JSON.stringify({ mask }), id);
    forge({ rootId: otherRoot, path: 'secret.png', fileId: `${stat.dev}:${stat.ino}` });
    expect((await get('mask', String(id))).json.error).toBe(`mask ${id} not found`);
    forge({ rootId: ownRoot, path: `output/${name(9)}` }); // no identity recorded: not a mask the importer wrote
    expect((await get('mask', String(id))).json.error).toBe(`mask ${id} not found`);
  });

  it('checks a mask recorded in the item metadata the same way', async () => {
    const { id } = itemOf(1);
    const mask = path.join(taskDir, 'output', name(1));
    const stat = fs.statSync(mask, { bigint: true });
    const rootId = sql.prepare('SELECT source_root_id FROM items WHERE id = ?').pluck().get(id);
    const setMask = (fileId: string) =>
      sql
        .prepare('UPDATE items SET metadata = ? WHERE id = ?')
        .run(JSON.stringify({ mask: { rootId, path: `output/${name(1)}`, fileId } }), id);
    setMask(`${stat.dev}:${stat.ino}`);
    expect((await get('mask', String(id))).status).toBe(200);
    setMask(`${stat.dev}:${stat.ino + 1n}`);
    expect((await get('mask', String(id))).json.error).toBe(`mask ${id}: not served: image file changed since it was imported`);
  });
});

describe("GET /api/images/:kind/:id?size=thumb (the dataset grid's)", () => {
  /** The route's answer with its bytes (callRoute reads a body as text), as a session (or none) asks. */
  const fetchImage = async (kind: string, id: number, size: string, as?: string, etag?: string) => {
    const headers: Record<string, string> = {};
    if (as) headers.cookie = as;
    if (etag) headers['if-none-match'] = etag;
    const request = new Request(`http://localhost:3000/api/images/${kind}/${id}?size=${size}`, { headers });
    const response = await (await routeHandler(ROUTE, 'GET'))(request, { params: Promise.resolve({ kind, id: String(id) }) });
    return { response, bytes: Buffer.from(await response.arrayBuffer()) };
  };
  /** The cached previews and thumbnails (the route's cache folder), with their modification times. */
  const cached = () => {
    const dir = path.join(process.env.LOUPE_DATA_DIR!, 'cache', 'previews');
    const files = fs.existsSync(dir) ? (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.webp')) : [];
    return new Map(files.map((f) => [f, fs.statSync(path.join(dir, f)).mtimeMs]));
  };

  it('is a WebP 384 px on its long side, made once and cached beside the previews, never for a signed-out user', async () => {
    // One item whose source is 2000x1200 (the others are 64x48: no size to shrink).
    const root = path.join(tempDir('loupe-thumb-'), 'gpt-edit');
    await writeGptEditLayout(root, [gptEditRecord('hqedit', 'edit', 1)], {
      family: 'hqedit',
      task: 'edit',
      inputSize: { width: 2000, height: 1200 },
    });
    const { getDb } = await import('@/db');
    expect((await importGptEdit(getDb(), root, { dataset: 'thumbs' })).imported).toBe(1);
    const id = sql.prepare('SELECT max(id) FROM items').pluck().get() as number;

    // Signed out: nothing is served, and nothing is made.
    const before = cached();
    const anonymous = await fetchImage('source', id, 'thumb');
    expect(anonymous.response.status).toBe(401);
    expect(cached()).toEqual(before);

    const first = await fetchImage('source', id, 'thumb', cookie);
    expect(first.response.status).toBe(200);
    expect(first.response.headers.get('content-type')).toBe('image/webp');
    expect(await sharp(first.bytes).metadata()).toMatchObject({ format: 'webp', width: 384, height: 230 });
    const made = [...cached()].filter(([file]) => !before.has(file));
    expect(made).toHaveLength(1);

    // The review's preview of the same image is its own file, at its own size.
    const preview = await fetchImage('source', id, 'preview', cookie);
    expect(await sharp(preview.bytes).metadata()).toMatchObject({ width: 1600, height: 960 });
    expect(preview.response.headers.get('etag')).not.toBe(first.response.headers.get('etag'));

    // The second time: the cached file, not made again (same bytes, same ETag, file untouched), and a 304 for the ETag.
    await new Promise((resolve) => setTimeout(resolve, 20));
    const again = await fetchImage('source', id, 'thumb', cookie);
    expect(again.response.status).toBe(200);
    expect(again.bytes.equals(first.bytes)).toBe(true);
    expect(again.response.headers.get('etag')).toBe(first.response.headers.get('etag'));
    expect(cached().get(made[0][0])).toBe(made[0][1]);
    const revalidated = await fetchImage('source', id, 'thumb', cookie, first.response.headers.get('etag')!);
    expect(revalidated.response.status).toBe(304);
  });

  it('refuses a swapped file as the preview is refused', async () => {
    const { id } = itemOf(2); // swapped for a link to /etc/passwd above
    const response = await get('source', String(id), 'thumb');
    expect(response.status).toBe(404);
    expect(response.json.error).toBe(`source ${id}: not served: image file leads outside its folder (a link to elsewhere)`);
  });
});
