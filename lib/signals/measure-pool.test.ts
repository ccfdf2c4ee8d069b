import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SAMPLES_DIR } from '../test/factories';
import { measurePair, prepareSource, SIGNAL_OPS, signalsPool, type PairSignals } from './measure';
import { WorkerPool } from './pool';

const ROOT = SAMPLES_DIR;
const CROSS = 'cross hqedit/1 vs omniedit/style/4';

/**
 * Each bundled sample's signals as this thread computes them (signals version 2: 128 px, uniform
 * 7x7 SSIM window; lib/signals/version.test.ts compares them with version 1's):
 * [pair, ssim, changed fraction, padding fraction, padding colour, source pHash, edit pHash, edit resized].
 * The last pair crosses two samples of different sizes, so the edit is stretched.
 */
const BEFORE: [string, number, number, number, string | null, string, string, boolean][] = [
  ['hqedit/edit/00000001.png', 0.94204482943785, 0, 0, null, '2499aa647bbf9198', '2499ba647bbf8198', false],
  ['hqedit/edit/00000002.png', 0.95514052683881, 0.15891544117647058, 0, null, '074047991f6d6f65', '07104f991f696fe1', false],
  ['hqedit/generate/00000003.png', -0.1199208187676791, 0.8977941176470589, 0, null, 'bfc98ca2422fbd48', '7da5e3b084877331', false],
  [
    'omniedit/attribute_modification/00000006.png',
    0.8494700350903823,
    0.0027573529411764708,
    0,
    null,
    'bfc98ca2422fbd48',
    'bfc98ca2422fbd48',
    false,
  ],
  ['omniedit/complex-edit/00000007.png', 0.58115630659294, 0.65814208984375, 0, null, '2499aa647bbf9198', '24dbda64733b9198', false],
  ['omniedit/env/00000005.png', 0.751239919381525, 0.9565972222222222, 0, null, 'ce748b368b54eb14', 'ce748b768b54ab14', false],
  ['omniedit/removal/00000012.png', 0.44489732917190555, 0.3898065476190476, 1, 'white', 'f4a50d646b6a68ea', '0000000000000000', false],
  ['omniedit/style/00000004.png', 0.6759636129404547, 0.18584558823529412, 0, null, '074047991f6d6f65', '14504b991e6fe7e1', false],
  ['ultraedit/add/00000010.png', 0.7362078204696757, 0.24894205729166666, 0, null, '2eccb93266cb9c64', '264db133465d9976', false],
  ['ultraedit/change_color/00000011.png', 0.9775059046448219, 0.036856617647058824, 0, null, '074047991f6d6f65', '07101b991f6d6fe1', false],
  [
    'ultraedit/change_global/00000009.png',
    -0.19588862295866075,
    0.9895089285714286,
    0,
    null,
    'f4a50d646b6a68ea',
    '0b5af29b94959715',
    false,
  ],
  [
    'ultraedit/transform_global/00000008.png',
    0.6200921786355159,
    0.2954044117647059,
    0,
    null,
    '6e27d837c824cf38',
    'e48d729d628f6592',
    false,
  ],
  ['cross hqedit/1 vs omniedit/style/4', 0.050018116811839514, 0.82073974609375, 0, null, '2499aa647bbf9198', '14504b991e6fe7e1', true],
];

/** Tolerance against BEFORE: SSIM within 1e-9 (floating-point order), everything else identical. */
const SSIM_TOLERANCE = 1e-9;

function files(pair: string): [string, string] {
  if (pair === CROSS) return [path.join(ROOT, 'hqedit/edit/input/00000001.png'), path.join(ROOT, 'omniedit/style/output/00000004.png')];
  const [family, task, file] = pair.split('/');
  return [path.join(ROOT, family, task, 'input', file), path.join(ROOT, family, task, 'output', file)];
}

function expectBefore(measured: PairSignals, [, ssim, changed, padding, colour, sourceHash, editHash, resized]: (typeof BEFORE)[number]) {
  expect(Math.abs(measured.ssim - ssim)).toBeLessThanOrEqual(SSIM_TOLERANCE);
  expect(measured.changedFraction).toBe(changed);
  expect(measured.padding.fraction).toBe(padding);
  expect(measured.padding.colour).toBe(colour);
  expect(measured.phash.source).toBe(sourceHash);
  expect(measured.phash.edit).toBe(editHash);
  expect(measured.editResized).toBe(resized);
}

afterAll(() => signalsPool().close());

describe('signals on worker threads', () => {
  it('runs in worker threads, not on the calling thread', () => {
    expect(signalsPool().size).toBeGreaterThanOrEqual(1);
  });

  it('gives the samples their recorded signals, from paths and from bytes, all at once', async () => {
    const measured = await Promise.all(BEFORE.map(([pair]) => measurePair(...files(pair))));
    BEFORE.forEach((row, i) => expectBefore(measured[i], row));
    const fromBytes = await Promise.all(BEFORE.map(([pair]) => files(pair).map((file) => fs.readFileSync(file))));
    const again = await Promise.all(fromBytes.map(([source, edit]) => measurePair(source, edit)));
    BEFORE.forEach((row, i) => expectBefore(again[i], row));
  });

  it('reuses a prepared source for several candidates, with the same figures', async () => {
    const [sourceFile] = files(BEFORE[0][0]);
    const prepared = await prepareSource(fs.readFileSync(sourceFile));
    expect(prepared).toMatchObject({ width: 512, height: 512, luma: { width: 128, height: 128 } });
    const cross = BEFORE.find(([pair]) => pair === CROSS)!;
    expectBefore(await measurePair(prepared, files(BEFORE[0][0])[1]), BEFORE[0]);
    expectBefore(await measurePair(prepared, files(CROSS)[1]), cross);
  });

  it('answers the same as this thread does, errors included', async () => {
    const [source, edit] = files(BEFORE[5][0]);
    expect(await measurePair(source, edit)).toEqual(await SIGNAL_OPS.measure(source, edit));
    const broken = Buffer.from('not an image');
    const here = await SIGNAL_OPS.measure(broken, edit).catch((error: Error) => error.message);
    expect(here).toMatch(/unsupported image format/);
    await expect(measurePair(broken, edit)).rejects.toThrow(here as string);
  });
});

it('refuses the tasks still waiting when a pool is closed, instead of leaving them pending', async () => {
  const pool = new WorkerPool(
    () => new URL('./measure-worker.mjs', import.meta.url),
    { workerData: { module: new URL('./measure.ts', import.meta.url).href } },
    SIGNAL_OPS,
    1,
  );
  expect(pool.size).toBe(1);
  const waiting = pool.run('measure', ...files(BEFORE[0][0]));
  await pool.close();
  await expect(waiting).rejects.toThrow(/closed before this task finished/);
});
