import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '@/db';
import { checkRelativePath } from '../../images/paths';
import type { ImportFormat } from '../format-types';
import { NothingToImportError, type ImportOptions, type ImportSummary } from '../import-gpt-edit';
import { readJsonRecords } from '../json-records';
import { importLimits } from '../limits';
import { runImport, type Order } from '../session';

/*
 * The training release of GPT-Image-Edit (UCSC-VLAA/gpt-image-edit-training):
 *
 *   data.txt                       <image_root>,<annotation_json>,<need_weight>  per line
 *   training_json/<name>.json      [{"id"?, "image": [input, output],
 *                                    "conversations": [{"from": "human", "value": "<image>\nMake it ..."},
 *                                                      {"from": "gpt", "value": "<image>"}], ...}, ...]
 *
 * Image paths in a record are relative to the image root its annotation file is listed
 * with; data.txt paths are absolute or relative to data.txt's folder. PATH may be data.txt,
 * a folder holding data.txt or training_json/, the training_json folder, or one annotation
 * file. Without data.txt there is no image root on record (and no --image-root flag), so the
 * image root is the folder that holds training_json/: the parent of the annotation file's
 * folder. The release's own data.txt points at the task folders of the extracted
 * GPT-Image-Edit-1.5M layout, so import a data.txt to review the real release.
 *
 * The records carry no family or task: the family is the first of omniedit, hqedit and
 * ultraedit named by the annotation file's name, the record id, or the image root's folders
 * (else `unknown`); the task is what remains of the file name without the family and the
 * release's `gpt` marker (hqedit_gpt_edit.json: `edit`), else `default`. The instruction is
 * the last human turn without its <image> tokens. A record without an id gets
 * `<annotation file name>:<index>`, so importing the same files again adds nothing.
 */

const FAMILIES = ['omniedit', 'hqedit', 'ultraedit'];
const DATA_TXT = 'data.txt';
const TRAINING_JSON = 'training_json';
const ANNOTATION_FILE = /\.jsonl?$/i;

/** One annotation file to import, with the folder its image paths are relative to. */
interface Annotation {
  file: string;
  imageRoot: string;
  /** data.txt's third column, kept in every record's metadata. */
  needWeight?: unknown;
}

interface Plan {
  dataset: string;
  /** File names in problems are shown relative to this folder. */
  baseDir: string;
  annotations: Annotation[];
  /** Unusable data.txt lines: reported, the rest is imported. */
  listProblems: { line: number; reason: string }[];
  listFile?: string;
}

/** What PATH means: the annotation files to read and their image roots. */
function plan(target: string): Plan {
  const stat = fs.statSync(target);
  if (stat.isFile()) {
    if (path.basename(target) === DATA_TXT) return planDataTxt(target);
    const root = path.dirname(path.dirname(target));
    const annotations = [{ file: target, imageRoot: root }];
    return { dataset: path.basename(root), baseDir: path.dirname(target), annotations, listProblems: [] };
  }
  if (isFile(path.join(target, DATA_TXT))) return planDataTxt(path.join(target, DATA_TXT));
  const jsonDir = path.basename(target) === TRAINING_JSON ? target : path.join(target, TRAINING_JSON);
  const root = path.dirname(jsonDir);
  const files = isDir(jsonDir) ? annotationFiles(jsonDir) : [];
  if (files.length === 0) {
    throw new NothingToImportError(`no ${DATA_TXT} or ${TRAINING_JSON}/*.json found in ${target}`);
  }
  const annotations = files.map((file) => ({ file, imageRoot: root }));
  return { dataset: path.basename(root), baseDir: root, annotations, listProblems: [] };
}

function annotationFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && ANNOTATION_FILE.test(e.name))
    .map((e) => path.join(dir, e.name))
    .sort();
}

function planDataTxt(listFile: string): Plan {
  const dir = path.dirname(listFile);
  const annotations: Annotation[] = [];
  const listProblems: Plan['listProblems'] = [];
  fs.readFileSync(listFile, 'utf8')
    .split(/\r?\n/)
    .forEach((raw, i) => {
      const line = i + 1;
      const text = raw.trim();
      if (text === '' || text.startsWith('#')) return;
      const parts = text.split(',').map((p) => p.trim());
      if (parts.length < 2 || parts.length > 3 || !parts[0] || !parts[1]) {
        listProblems.push({ line, reason: `expected <image_root>,<annotation_json>,<need_weight>, found ${JSON.stringify(text)}` });
        return;
      }
      const [imageRoot, file] = [path.resolve(dir, parts[0]), path.resolve(dir, parts[1])];
      if (!isFile(file)) listProblems.push({ line, reason: `annotation file not found: ${parts[1]}` });
      else if (!isDir(imageRoot)) listProblems.push({ line, reason: `image root not found: ${parts[0]}` });
      else annotations.push({ file, imageRoot, needWeight: parts.length === 3 ? parseNeedWeight(parts[2]) : undefined });
    });
  return { dataset: path.basename(dir), baseDir: dir, annotations, listProblems, listFile };
}

/** The release writes `false`; keep booleans and numbers as such, anything else as written. */
function parseNeedWeight(value: string): unknown {
  if (/^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
  if (value !== '' && Number.isFinite(Number(value))) return Number(value);
  return value;
}

/** A training record checked: its images (relative to the image root) and its instruction. */
function parseTrainingRecord(
  value: unknown,
): { ok: true; input: string; output: string; instruction: string } | { ok: false; reason: string } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, reason: 'record is not a JSON object' };
  const r = value as Record<string, unknown>;
  const image = r.image;
  if (!Array.isArray(image) || image.length !== 2 || !image.every((p) => typeof p === 'string')) {
    return { ok: false, reason: 'image must be [input, output]: two paths' };
  }
  if (!Array.isArray(r.conversations)) return { ok: false, reason: 'missing conversations' };
  const human = r.conversations.filter(
    (turn): turn is { value: string } => typeof turn?.value === 'string' && ['human', 'user'].includes(String(turn?.from).toLowerCase()),
  );
  const instruction = human.length ? stripImageTokens(human[human.length - 1].value) : '';
  if (instruction === '') return { ok: false, reason: 'no human instruction in conversations' };
  const input = checkRelativePath(image[0]);
  if (!input.ok) return { ok: false, reason: `input: ${input.reason}` };
  const output = checkRelativePath(image[1]);
  if (!output.ok) return { ok: false, reason: `output: ${output.reason}` };
  return { ok: true, input: input.path, output: output.path, instruction };
}

/** "<image>\nMake it blue." -> "Make it blue." (a token inside the text becomes a space). */
export function stripImageTokens(text: string): string {
  return text.replace(/\s*<image>\s*/g, ' ').trim();
}

/** A family named anywhere in a file name (omniedit_gpt.json), or at the start of an id. */
function familyIn(text: string, where: 'anywhere' | 'prefix'): string | undefined {
  const lower = text.toLowerCase();
  return FAMILIES.find((f) => (where === 'prefix' ? lower.startsWith(f) : lower.includes(f)));
}

/** The file name without the family and `gpt` words: hqedit_gpt_edit.json -> edit. */
function taskOf(file: string, family: string | undefined): string {
  const words = path
    .basename(file)
    .replace(ANNOTATION_FILE, '')
    .split(/[_\-.\s]+/)
    .filter((w) => w !== '' && w.toLowerCase() !== family && w.toLowerCase() !== 'gpt');
  return words.length ? words.join('_') : 'default';
}

export async function importGptEditTraining(db: Db, inputPath: string, options: ImportOptions = {}): Promise<ImportSummary> {
  const target = path.resolve(inputPath);
  if (!fs.existsSync(target)) throw new NothingToImportError(`no such file or folder: ${inputPath}`);
  const release = plan(target);
  const shown = (file: string) => {
    const rel = path.relative(release.baseDir, file);
    return rel === '' || rel.startsWith('..') || path.isAbsolute(rel) ? file : rel;
  };
  if (release.annotations.length === 0) {
    const reasons = release.listProblems.map((l) => `line ${l.line}: ${l.reason}`).join('; ');
    throw new NothingToImportError(
      `${shown(release.listFile!)} lists no annotation file that can be read${reasons ? ` (${reasons})` : ''}`,
    );
  }

  return runImport(
    {
      db,
      format: 'gpt-edit-training',
      path: target,
      dataset: options.dataset ?? release.dataset,
      files: release.annotations.length,
      bytesTotal: release.annotations.reduce((sum, a) => sum + fs.statSync(a.file).size, 0),
      onProgress: options.onProgress,
      limits: importLimits(options.limits),
    },
    async (session) => {
      for (const { line, reason } of release.listProblems) session.report(shown(release.listFile!), [-1, line], `line ${line}: ${reason}`);
      let filesRead = 0;
      for (const [fileNo, annotation] of release.annotations.entries()) {
        const name = path.basename(annotation.file);
        const file = shown(annotation.file);
        const fileFamily = familyIn(name, 'anywhere');
        const rootFamily = annotation.imageRoot
          .split(path.sep)
          .map((segment) => segment.toLowerCase())
          .find((segment) => FAMILIES.includes(segment));
        const task = taskOf(name, fileFamily);
        let readAny = false;
        let broken = false;
        for await (const entry of readJsonRecords(annotation.file, session.progress, session.limits)) {
          if (entry.kind === 'bad-file') {
            session.report(file, [fileNo, Infinity], entry.reason); // a break ends the file: after its records
            broken = true;
            continue;
          }
          readAny = true;
          session.progress.records++;
          const order: Order = [fileNo, entry.index];
          if (entry.kind === 'bad-record') {
            session.report(file, order, entry.reason, `${name}:${entry.index}`);
            continue;
          }
          const rawId = (entry.value as { id?: unknown } | null)?.id;
          const ownId = (typeof rawId === 'string' && rawId.trim() !== '') || typeof rawId === 'number';
          const id = ownId ? String(rawId) : `${name}:${entry.index}`;
          const parsed = parseTrainingRecord(entry.value);
          if (!parsed.ok) {
            session.report(file, order, parsed.reason, id);
            continue;
          }
          const metadata =
            annotation.needWeight === undefined
              ? entry.text
              : JSON.stringify({ ...(entry.value as object), need_weight: annotation.needWeight });
          await session.add({
            externalId: id,
            family: fileFamily ?? familyIn(id, 'prefix') ?? rootFamily ?? 'unknown',
            task,
            instructionType: 'original',
            instructions: [{ kind: 'original', text: parsed.instruction }],
            instructionField: 'conversations',
            metadata,
            source: { field: 'input', value: parsed.input, dir: annotation.imageRoot, path: parsed.input },
            output: { field: 'output', value: parsed.output, dir: annotation.imageRoot, path: parsed.output },
            file,
            order,
          });
        }
        if (readAny || !broken) filesRead++; // an empty array is read, just empty
      }
      return filesRead;
    },
  );
}

/** Is it a training release: data.txt, a folder with data.txt or training_json/, or a conversation-style JSON file? */
async function detect(target: string): Promise<boolean> {
  try {
    const stat = fs.statSync(target);
    if (stat.isDirectory()) {
      const inside = (name: string) => path.join(target, name);
      return isFile(inside(DATA_TXT)) || isDir(inside(TRAINING_JSON)) || path.basename(target) === TRAINING_JSON;
    }
    if (path.basename(target) === DATA_TXT) return true;
    if (!/\.json$/i.test(target)) return false;
    for await (const entry of readJsonRecords(target)) {
      // The first record decides; leaving the loop closes the file.
      if (entry.kind !== 'record') return false;
      const r = entry.value as Record<string, unknown> | null;
      return Array.isArray(r?.image) && Array.isArray(r?.conversations);
    }
    return false;
  } catch {
    return false;
  }
}

export const GPT_EDIT_TRAINING_FORMAT: ImportFormat = {
  name: 'gpt-edit-training',
  description: 'GPT-Image-Edit training release: data.txt and training_json/*.json (image pairs with conversations)',
  detect,
  run: importGptEditTraining,
};

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}
