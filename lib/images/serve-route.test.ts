import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importGptEdit } from '@/lib/import/import-gpt-edit';
import { gptEditRecord, pngBuffer, tempDir, writeGptEditLayout } from '@/lib/test/factories';
import { bombPng, SVG_WITH_SCRIPT } from '@/lib/test/images';
import { callRoute, closeRoutes, signInRoles } from '@/lib/test/routes';

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
