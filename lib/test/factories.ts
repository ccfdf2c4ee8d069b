/**
 * Test helpers: temporary databases and folders, and small datasets in the
 * GPT-Image-Edit layout made of real PNG files. Everything made here is removed by
 * `cleanupTemp()` (call it in `afterEach`/`afterAll`).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { openDb, type Db } from '@/db';

/** The bundled samples: 12 triplets in `samples/gpt-edit/<family>/<task>/...`. */
export const SAMPLES_DIR = fileURLToPath(new URL('../../samples/gpt-edit', import.meta.url));

const tempDirs: string[] = [];
const openDbs: Db[] = [];

/** A new empty folder under the OS temp folder. */
export function tempDir(prefix = 'loupe-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

/** A fresh, migrated Loupe database in a temporary folder. */
export function tempDb(): { db: Db; dir: string } {
  const dir = tempDir('loupe-db-');
  const db = openDb(path.join(dir, 'loupe.db'));
  openDbs.push(db);
  return { db, dir };
}

/** Closes the databases and removes the folders made by `tempDir`/`tempDb`/`copySamples`. */
export function cleanupTemp() {
  for (const db of openDbs.splice(0)) if (db.$client.open) db.$client.close();
  for (const dir of tempDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/** Copies the bundled samples to `<temp>/gpt-edit` and returns that path. */
export function copySamples(): string {
  const root = path.join(tempDir('loupe-samples-'), 'gpt-edit');
  fs.cpSync(SAMPLES_DIR, root, { recursive: true });
  return root;
}

/** A real PNG file's bytes, one flat colour. */
export function pngBuffer(width: number, height: number, background = { r: 200, g: 120, b: 40 }): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background } })
    .png()
    .toBuffer();
}

/** A valid metadata record of the released layout; `overrides` replace (or, as undefined, drop) fields. */
export function gptEditRecord(family: string, task: string, n: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const file = `${String(n).padStart(8, '0')}.png`;
  const record: Record<string, unknown> = {
    id: `${family}_${task}_${String(n).padStart(8, '0')}`,
    dataset_source: family,
    task,
    input: `input/${file}`,
    output: `output/${file}`,
    instruction: `Edit number ${n}.`,
    instruction_type: 'original',
    input_description: `Test picture ${n}.`,
    ...overrides,
  };
  for (const key of Object.keys(record)) if (record[key] === undefined) delete record[key];
  return record;
}

export interface LayoutOptions {
  family: string;
  task: string;
  /** `json` (default): one JSON array; `jsonl`: one record per line. */
  format?: 'json' | 'jsonl';
  /** Metadata file name; default `<family>_<task>.json` or `.jsonl`. */
  metadataName?: string;
  /** Size of the input images (default 64x48). */
  inputSize?: { width: number; height: number };
  /** Size of the output images (default 32x24). */
  outputSize?: { width: number; height: number };
  /** Image paths (as written in the records) to leave out, to make them missing. */
  omitImages?: string[];
}

/**
 * Writes one task folder `root/<family>/<task>/{input,output,metadata/<file>}`: the records
 * as given (they may be deliberately bad) and a real PNG for every `input`/`output` path
 * of theirs that is a relative path inside the task folder, unless listed in `omitImages`.
 * Returns the task folder and the metadata file.
 */
export async function writeGptEditLayout(
  root: string,
  records: unknown[],
  opts: LayoutOptions,
): Promise<{ taskDir: string; metadataFile: string }> {
  const format = opts.format ?? 'json';
  const taskDir = path.join(root, opts.family, opts.task);
  const metadataFile = path.join(taskDir, 'metadata', opts.metadataName ?? `${opts.family}_${opts.task}.${format}`);
  fs.mkdirSync(path.dirname(metadataFile), { recursive: true });
  fs.mkdirSync(path.join(taskDir, 'input'), { recursive: true });
  fs.mkdirSync(path.join(taskDir, 'output'), { recursive: true });

  const inputPng = await pngBuffer(opts.inputSize?.width ?? 64, opts.inputSize?.height ?? 48);
  const outputPng = await pngBuffer(opts.outputSize?.width ?? 32, opts.outputSize?.height ?? 24, { r: 30, g: 90, b: 220 });
  for (const record of records) {
    if (typeof record !== 'object' || record === null) continue;
    for (const [field, png] of [
      ['input', inputPng],
      ['output', outputPng],
    ] as const) {
      const rel = (record as Record<string, unknown>)[field];
      if (typeof rel !== 'string' || path.isAbsolute(rel) || opts.omitImages?.includes(rel)) continue;
      const file = path.resolve(taskDir, rel);
      if (!file.startsWith(taskDir + path.sep)) continue; // never write outside the task folder
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, png);
    }
  }

  const text = format === 'jsonl' ? records.map((r) => JSON.stringify(r) + '\n').join('') : JSON.stringify(records, null, 2) + '\n';
  fs.writeFileSync(metadataFile, text);
  return { taskDir, metadataFile };
}
