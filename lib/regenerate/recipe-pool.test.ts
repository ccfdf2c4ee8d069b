import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { editImage } from '../openai-local/images';
import { BATCH_UPLOAD_PNG, bucketPlan, checkPadding, cropToSource, padToBucket, restoreAndCheck } from './recipe';
import { padOffThread, recipePool, restoreOffThread } from './recipe-pool';

const SAMPLES = fileURLToPath(new URL('../../samples/gpt-edit', import.meta.url));
const sample = (relative: string) => path.join(SAMPLES, relative);

/** Same bytes (Buffer.equals: toEqual walks a few MB one element at a time) and the same figures. */
function expectSame<T extends { png: Buffer }>(actual: T, expected: T) {
  expect(Buffer.isBuffer(actual.png)).toBe(true);
  expect(actual.png.equals(expected.png)).toBe(true);
  expect({ ...actual, png: null }).toEqual({ ...expected, png: null });
}

/** The local API's edit of a padded source: what a real regeneration gets back. */
const answer = (png: Buffer, width: number, height: number, prompt = 'Make it warmer.') =>
  editImage(png, prompt, width, height, { format: 'png', compression: 100 });

describe('the recipe on worker threads', () => {
  it('runs on threads', () => {
    expect(recipePool().size).toBeGreaterThan(0);
  });

  it.each(['omniedit/env/input/00000005.png', 'ultraedit/change_global/input/00000009.png', 'hqedit/edit/input/00000001.png'])(
    '%s: pads, crops back and checks to the same bytes and figures as this thread',
    async (relative) => {
      const file = sample(relative);
      const here = await padToBucket(file);
      expectSame(await padOffThread(file), here);
      // Bytes too, not a path (what the runner sends), at the Batch API's level too.
      const bytes = await sharp(file).toBuffer();
      expectSame(await padOffThread(bytes, undefined, BATCH_UPLOAD_PNG), await padToBucket(bytes, undefined, BATCH_UPLOAD_PNG));

      const edited = await answer(here.png, here.bucket.width, here.bucket.height);
      const restoredHere = await restoreAndCheck(edited, here.box, here.bucket, here.source);
      expectSame(await restoreOffThread(edited, here.box, here.bucket, here.source), restoredHere);
    },
  );

  it('bucketPlan gives the box padToBucket pads to, from the header alone', async () => {
    const file = sample('ultraedit/transform_global/input/00000008.png');
    const { png, ...plan } = await padToBucket(file);
    expect(png.length).toBeGreaterThan(0);
    expect(await bucketPlan(file)).toEqual(plan);
  });

  it('refuses what this thread refuses', async () => {
    const broken = Buffer.from('not an image');
    const here = await padToBucket(broken).catch((error: Error) => error.message);
    expect(here).toMatch(/unsupported image format/);
    await expect(padOffThread(broken)).rejects.toThrow(here as string);
  });
});

describe('restoreAndCheck', () => {
  it.each([
    ['a clean answer', 0, 0, false],
    ['an answer with the content moved', 40, 24, false],
    ['an answer of the wrong size', 0, 0, true],
  ])('%s: the same PNG and check as cropToSource, then checkPadding', async (_, dx, dy, squash) => {
    const { png, box, bucket, source } = await padToBucket(sample('ultraedit/transform_global/input/00000008.png'));
    let edited = await answer(png, bucket.width, bucket.height);
    if (dx || dy) {
      edited = await sharp(edited)
        .extract({ left: 0, top: 0, width: bucket.width - dx, height: bucket.height - dy })
        .extend({ left: dx, top: dy, background: '#ffffff' })
        .png()
        .toBuffer();
    }
    if (squash) edited = await sharp(edited).resize(1024, 1024, { fit: 'fill' }).png().toBuffer();

    const restored = await restoreAndCheck(edited, box, bucket, source);
    const cropped = await cropToSource(edited, box, bucket, source);
    expect(restored.png.equals(cropped.png)).toBe(true);
    expect(restored).toMatchObject({ width: cropped.width, height: cropped.height, wrongSize: squash });
    expect(restored.padding).toEqual(await checkPadding(cropped.png, { wrongSize: cropped.wrongSize }));
    expect(restored.padding.ok).toBe(!dx && !squash);
  });
});
