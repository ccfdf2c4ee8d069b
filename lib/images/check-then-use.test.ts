import fs from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { ImageCopier, readImage, WrittenFiles } from '@/lib/export/files';
import { importGptEdit } from '@/lib/import/import-gpt-edit';
import { cleanupTemp, copySamples, pngBuffer, tempDb, tempDir } from '@/lib/test/factories';
import { bombPng, SVG_WITH_SCRIPT } from '@/lib/test/images';
import { checkedImageFile } from './open';
import { imageBody, imageBytes, serveImage } from './serve';

/**
 * A file checked inside its root and then swapped (for a link to a server file, or another
 * file) before it is copied or decoded: what is used is the file checked, or nothing.
 */
afterEach(cleanupTemp);

const swapForLink = (file: string, target: string) => {
  fs.rmSync(file);
  fs.symlinkSync(target, file);
};

it('an export copy refuses a file swapped for a link to a server file between the check and the copy', async () => {
  const root = tempDir();
  fs.writeFileSync(path.join(root, 'a.png'), await pngBuffer(8, 8));
  fs.writeFileSync(path.join(root, 'b.png'), await pngBuffer(8, 8));
  const a = checkedImageFile(root, 'a.png', null);
  const b = checkedImageFile(root, 'b.png', null);
  swapForLink(path.join(root, 'a.png'), '/etc/passwd');
  fs.writeFileSync(path.join(root, 'b.new'), await pngBuffer(9, 9));
  fs.renameSync(path.join(root, 'b.new'), path.join(root, 'b.png')); // another file under the same name

  const out = tempDir();
  const files = new WrittenFiles();
  const copier = new ImageCopier(out, files);
  expect(await copier.copy([{ field: 'input', ...a, target: 'input/a.png' }])).toBe(
    `input image not exported: image file leads outside its folder (a link to elsewhere): ${a.from}`,
  );
  expect(await copier.copy([{ field: 'output', ...b, target: 'output/b.png' }])).toBe(
    `output image not exported: image file changed since it was imported: ${b.from}`,
  );
  expect(await readImage({ field: 'input', ...a })).toEqual({
    problem: `input image not exported: image file leads outside its folder (a link to elsewhere): ${a.from}`,
  });
  expect(fs.readdirSync(out)).toEqual([]);
  expect(files.totals().files).toBe(0);
  files.close();
});

it('a missing file is marked missing at the check and reported as not found, never opened by path later', async () => {
  const root = tempDir();
  const missing = checkedImageFile(root, 'gone.png', null);
  expect(missing).toEqual({ from: path.join(root, 'gone.png'), fileId: null });
  fs.symlinkSync('/etc/passwd', path.join(root, 'gone.png')); // appears after the check
  const files = new WrittenFiles();
  expect(await new ImageCopier(tempDir(), files).copy([{ field: 'input', ...missing, target: 'input/gone.png' }])).toBe(
    `input image not found: ${missing.from}`,
  );
  expect(await readImage({ field: 'input', ...missing })).toEqual({ problem: `input image not found: ${missing.from}` });
  files.close();
});

it('jobs get the checked bytes of the file recorded, and nothing from a file rewritten in place to SVG or a bomb', async () => {
  const { db } = tempDb();
  const samples = copySamples();
  await importGptEdit(db, samples);
  const items = db.$client.prepare('SELECT id FROM items ORDER BY id').pluck().all() as number[];
  const file = (id: number) => {
    const row = db.$client
      .prepare('SELECT r.path AS root, i.source_path AS path FROM items i JOIN image_roots r ON r.id = i.source_root_id WHERE i.id = ?')
      .get(id) as { root: string; path: string };
    return path.join(row.root, row.path);
  };
  expect((await imageBytes(db, 'source', items[0]))?.equals(fs.readFileSync(file(items[0])))).toBe(true);
  fs.writeFileSync(file(items[1]), SVG_WITH_SCRIPT); // in place: same dev:ino, new content
  fs.writeFileSync(file(items[2]), bombPng());
  expect(await imageBytes(db, 'source', items[1])).toBeUndefined();
  expect(await imageBytes(db, 'source', items[2])).toBeUndefined();
  swapForLink(file(items[3]), '/etc/passwd');
  expect(await imageBytes(db, 'source', items[3])).toBeUndefined();
});

it('a served image is exactly the bytes counted when it was opened, even if the file grows while it streams', async () => {
  const root = tempDir();
  const file = path.join(root, 'a.png');
  const png = await pngBuffer(8, 8);
  fs.writeFileSync(file, png);
  const image = await serveImage({ root, path: 'a.png', fileId: null }, 'full', tempDir());
  expect(image.bytes).toBe(png.length);
  fs.appendFileSync(file, Buffer.alloc(4096, 1)); // in place, after the open
  const body = Buffer.from(await new Response(await imageBody(image)).arrayBuffer());
  expect(body.equals(png)).toBe(true);
});
