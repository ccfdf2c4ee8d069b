import fs from 'node:fs';
import path from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setDisabled } from '@/lib/auth/users';
import { importTarball } from '@/lib/import/tarball/import-tarball';
import { s3Client } from '@/lib/s3/client';
import { headObject, presignGet, PRESIGN_SECONDS } from '@/lib/s3/objects';
import { pngBuffer, SAMPLES_DIR, tempDir } from '@/lib/test/factories';
import { callRoute, closeRoutes, signInRoles } from '@/lib/test/routes';
import { startS3Server, useS3Env, type S3Server } from '@/lib/test/s3';
import { gzipTar, layoutMembers, writeParts } from '@/lib/test/tarball';

/**
 * The image route with the store in a bucket (a real s3rver process): after the same
 * authorization as for a file, the browser is redirected to a short-lived presigned URL of the
 * checked object (or of its preview, made once and stored beside the originals); without a
 * session there is no URL, and the bucket itself answers nothing without a valid signature.
 */
const ROUTE = 'app/api/images/[kind]/[id]/route.ts';
const STORE = 's3://loupe-test/review';
let s3: S3Server;
let restoreEnv: () => void;
let cookie: string;
let disabledCookie: string;
let sql: import('better-sqlite3').Database;

/** The route as the signed-in annotator calls it, or with another Cookie header (null: none). */
const get = (kind: string, id: number, size = 'full', as: string | null = cookie) =>
  callRoute(ROUTE, 'GET', { url: `/api/images/${kind}/${id}?size=${size}`, cookie: as ?? undefined, params: { kind, id: String(id) } });

const sample = (file: string) => fs.readFileSync(path.join(SAMPLES_DIR, 'hqedit', 'edit', file));

beforeAll(async () => {
  s3 = await startS3Server();
  restoreEnv = useS3Env(s3, { LOUPE_STORE: STORE });
  const cookies = await signInRoles(['annotator', 'lead']);
  cookie = cookies.get('annotator')!;
  disabledCookie = cookies.get('lead')!;
  const parts = path.join(tempDir('loupe-s3-route-'), 'gpt-edit');
  writeParts(parts, 'hqedit.tar.gz', await gzipTar(layoutMembers(path.join(SAMPLES_DIR, 'hqedit'), 'hqedit/'), 1), {
    partBytes: 256 * 1024,
  });
  const { getDb } = await import('@/db');
  expect(await importTarball(getDb(), [parts])).toMatchObject({ skipped: 0 });
  sql = getDb().$client;
  setDisabled(getDb(), 'only-lead', true);
}, 60_000);

afterAll(async () => {
  await closeRoutes();
  restoreEnv();
  delete process.env.LOUPE_STORE;
  await s3.stop();
});

const item = (externalId: string) =>
  sql.prepare('SELECT id, current_candidate_id AS candidate, source_path AS path FROM items WHERE external_id = ?').get(externalId) as {
    id: number;
    candidate: number;
    path: string;
  };

describe('GET /api/images/:kind/:id with LOUPE_STORE=s3://…', () => {
  it('redirects to a presigned URL of the bucket that serves the recorded bytes, with their type', async () => {
    const { id, candidate } = item('hqedit_edit_00000001');
    const answer = await get('source', id);
    expect(answer.status).toBe(302);
    expect(answer.headers.get('cache-control')).toBe('private, max-age=60');
    const location = new URL(answer.headers.get('location')!);
    expect(location.origin).toBe(s3.endpoint);
    expect(location.pathname).toMatch(/^\/loupe-test\/review\/[0-9a-f]{2}\/[0-9a-f]{64}\.png$/);
    expect(location.searchParams.get('X-Amz-Expires')).toBe(String(PRESIGN_SECONDS));
    expect(location.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    const object = await fetch(location);
    expect(object.status).toBe(200);
    expect(object.headers.get('content-type')).toBe('image/png');
    // Cacheable while the URL lives, so an image the page prefetched is not fetched again.
    expect(object.headers.get('cache-control')).toBe(`private, max-age=${PRESIGN_SECONDS}`);
    expect(Buffer.from(await object.arrayBuffer()).equals(sample('input/00000001.png'))).toBe(true);

    const edited = await fetch((await get('candidate', candidate)).headers.get('location')!);
    expect(Buffer.from(await edited.arrayBuffer()).equals(sample('output/00000001.png'))).toBe(true);
  });

  it('makes a preview once, stores it beside the originals, and redirects to it', async () => {
    const { candidate } = item('hqedit_edit_00000002');
    const first = await get('candidate', candidate, 'preview');
    expect(first.status).toBe(302);
    const location = new URL(first.headers.get('location')!);
    expect(location.pathname).toMatch(/^\/loupe-test\/review\/previews\/1600\/[0-9a-f]{2}\/[0-9a-f]{64}\.png\.webp$/);
    const preview = await fetch(location);
    expect(preview.status).toBe(200);
    expect(preview.headers.get('content-type')).toBe('image/webp');
    expect((await preview.arrayBuffer()).byteLength).toBeGreaterThan(0);

    const key = decodeURIComponent(location.pathname.slice('/loupe-test/'.length));
    const made = await headObject({ bucket: s3.bucket, key });
    await new Promise((resolve) => setTimeout(resolve, 1100)); // a rewrite would show a later Last-Modified and a new ETag
    const again = await get('candidate', candidate, 'preview');
    expect(new URL(again.headers.get('location')!).pathname).toBe(location.pathname);
    expect(await headObject({ bucket: s3.bucket, key })).toEqual(made);
  });

  it('makes the grid thumbnail once beside the previews (previews/384/), 384 px on its long side, and redirects to it', async () => {
    const { id } = item('hqedit_edit_00000002'); // 600x400
    const first = await get('source', id, 'thumb');
    expect(first.status).toBe(302);
    const location = new URL(first.headers.get('location')!);
    expect(location.pathname).toMatch(/^\/loupe-test\/review\/previews\/384\/[0-9a-f]{2}\/[0-9a-f]{64}\.png\.webp$/);
    const thumb = await fetch(location);
    expect(thumb.headers.get('content-type')).toBe('image/webp');
    expect(await sharp(Buffer.from(await thumb.arrayBuffer())).metadata()).toMatchObject({ format: 'webp', width: 384, height: 256 });

    const key = decodeURIComponent(location.pathname.slice('/loupe-test/'.length));
    const made = await headObject({ bucket: s3.bucket, key });
    await new Promise((resolve) => setTimeout(resolve, 1100)); // a rewrite would show a later Last-Modified and a new ETag
    const again = await get('source', id, 'thumb');
    expect(new URL(again.headers.get('location')!).pathname).toBe(location.pathname);
    expect(await headObject({ bucket: s3.bucket, key })).toEqual(made);
    for (const as of [null, disabledCookie]) expect((await get('source', id, 'thumb', as)).status).toBe(401);
  });

  it('gives no URL without a session or to a disabled account', async () => {
    const { id } = item('hqedit_edit_00000001');
    for (const as of [null, disabledCookie, 'better-auth.session_token=forged.value']) {
      const answer = await get('source', id, 'full', as);
      expect(answer.status).toBe(401);
      expect(answer.headers.get('location')).toBeNull();
      expect(answer.text).not.toContain(s3.endpoint);
    }
  });

  // s3rver checks a presigned URL's access key and expiry but not its V4 signature, and serves anonymous reads
  // (it has no ACLs); a real bucket is private and checks the signature too.
  it('the bucket refuses a URL signed with another access key, or once it has expired', async () => {
    const { id } = item('hqedit_edit_00000001');
    const location = new URL((await get('source', id)).headers.get('location')!);
    const otherKey = new URL(location);
    otherKey.searchParams.set('X-Amz-Credential', location.searchParams.get('X-Amz-Credential')!.replace(/^S3RVER/, 'AKIAFORGED'));
    expect((await fetch(otherKey)).status).toBe(403);

    const key = decodeURIComponent(location.pathname.slice('/loupe-test/'.length));
    const short = await presignGet({ bucket: s3.bucket, key }, 'image/png', 1);
    expect((await fetch(short)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 2100));
    expect((await fetch(short)).status).toBe(403);
  });

  it('refuses an object overwritten since the import, giving no URL', async () => {
    const { id, path: relative } = item('hqedit_generate_00000003');
    expect((await get('source', id)).status).toBe(302);
    await s3Client().send(new PutObjectCommand({ Bucket: s3.bucket, Key: `review/${relative}`, Body: await pngBuffer(8, 8) }));
    for (const size of ['full', 'preview', 'thumb']) {
      const answer = await get('source', id, size);
      expect(answer.status).toBe(404);
      expect(answer.json).toEqual({ error: `source ${id}: not served: image file changed since it was imported` });
      expect(answer.headers.get('location')).toBeNull();
    }
  });
});
