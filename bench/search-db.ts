/**
 * bench:search's database: the bundled samples imported by the real importer, then N items in
 * the 17 task folders of GPT-Image-Edit-1.5M with generated instructions and input descriptions
 * (the samples' phrasing, varied: a few hundred objects, colours, places and styles drawn
 * Zipf-like, so some words are in most items and some in a few hundred; 25% rewrites keep their
 * original as a second version; a few texts carry accents). Cached per N under the OS temp folder
 * without a search index; each run copies it and builds the index itself.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDb } from '@/db';
import { importGptEdit } from '@/lib/import/import-gpt-edit';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SAMPLES_DIR = path.join(REPO, 'samples', 'gpt-edit');
/** Bump when the generated data change, so old caches are not reused. */
const BUILD_VERSION = 1;
export const SEARCH_BENCH_ROOT = path.join(os.tmpdir(), 'loupe-bench-search');
const PER_TRANSACTION = 20_000;

const log = (message: string) => process.stderr.write(`[bench:search] ${message}\n`);

/** The folders and their share of the 1.5M (as bench/import.ts lays them out). */
const FOLDERS: [string, string, number][] = [
  ['hqedit', 'edit', 6],
  ['hqedit', 'generate', 2],
  ['omniedit', 'addition', 7],
  ['omniedit', 'removal', 8],
  ['omniedit', 'replacement', 12],
  ['omniedit', 'swap', 5],
  ['omniedit', 'attribute_modification', 6],
  ['omniedit', 'env', 5],
  ['omniedit', 'style', 7],
  ['omniedit', 'complex-edit', 6],
  ['ultraedit', 'add', 6],
  ['ultraedit', 'change_color', 6],
  ['ultraedit', 'change_global', 5],
  ['ultraedit', 'change_local', 6],
  ['ultraedit', 'replace', 5],
  ['ultraedit', 'transform_global', 4],
  ['ultraedit', 'transform_local', 4],
];

const OBJECTS = (
  'person man woman child dog cat horse car bicycle tree house window door table chair cup bottle lamp clock sign boat bird flower ' +
  'mountain river bridge street building sky cloud sun moon hat shirt jacket umbrella bag book phone laptop guitar piano ball kite ' +
  'fence bench road train bus truck plane helmet flag rocket astronaut saucer coffee cake pizza apple banana orange lemon ' +
  'statue fountain tower castle lighthouse candle mirror painting poster wall floor roof garden field forest beach wave rock ' +
  'teddy bear giraffe elephant zebra lion tiger penguin flamingo owl fox rabbit squirrel deer cow sheep goat pig duck swan ' +
  'motorcycle scooter skateboard surfboard tractor tent backpack suitcase vase bowl spoon fork knife plate basket pillow blanket ' +
  'telescope microscope typewriter gramophone chandelier carousel windmill pagoda igloo cactus bonsai sunflower tulip orchid mushroom'
).split(' ');
const COLORS =
  'red blue green yellow orange purple pink black white gray brown golden silver teal turquoise crimson beige navy magenta ivory'.split(
    ' ',
  );
const PLACES = (
  'the picture|the table|the left side|the background|the foreground|the street|the beach|the garden|the room|the shelf|the sky|' +
  'the corner|the wall|the field|the river bank|the snow|the desk|the window sill|the road|the grass'
).split('|');
const STYLES = (
  'watercolor|oil painting|charcoal sketch|pop-art|pixel art|ukiyo-e woodblock|cyberpunk|art nouveau|sepia print|pencil drawing|' +
  'cubist|impressionist|comic book|low-poly|stained glass|neon|vaporwave|Bauhaus|baroque|film noir'
).split('|');
const WEATHER =
  'a warm sunset glow|heavy snow|a foggy morning|a thunderstorm|golden hour light|a starry night|autumn colours|spring rain|a desert haze|moonlight'.split(
    '|',
  );
/** Rare words: names and places, some accented (the search folds them). */
const RARE = 'Zürich|café|Müller|São Paulo|Kraków|Ålesund|Reykjavík|crème brûlée|Björk|Provençal|Noël|Dvořák|Malmö|jalapeño|piñata'.split(
  '|',
);
const ADJECTIVES =
  'small|large|old|new|wooden|shiny|rusty|bright|dark|tiny|giant|vintage|modern|broken|colorful|plain|striped|fluffy|wet|frozen'.split('|');

/** The same seeded sequence on every build (an LCG: fast and deterministic). */
function random(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function generator(seed: number) {
  const r = random(seed);
  /** Zipf-like: the first entries are picked far more often than the last. */
  const pick = <T>(list: T[], skew = 2.2) => list[Math.floor(list.length * r() ** skew)];
  const any = <T>(list: T[]) => list[Math.floor(list.length * r())];
  const thing = () => (r() < 0.01 ? `${any(RARE)} ${pick(OBJECTS)}` : pick(OBJECTS));
  const byTask: Record<string, () => string> = {
    removal: () =>
      any([
        `Remove the ${thing()} from ${pick(PLACES)}.`,
        `Erase the ${pick(ADJECTIVES)} ${thing()}.`,
        `Take the ${thing()} out of the picture.`,
      ]),
    addition: () => `Add a ${pick(ADJECTIVES)} ${pick(COLORS)} ${thing()} to ${pick(PLACES)}.`,
    add: () =>
      any([`Add a ${pick(COLORS)} ${thing()} on ${pick(PLACES)}.`, `Put a ${pick(ADJECTIVES)} ${thing()} next to the ${pick(OBJECTS)}.`]),
    replacement: () => `Replace the ${thing()} with a ${pick(ADJECTIVES)} ${pick(OBJECTS)}.`,
    replace: () => `Change the ${thing()} into a ${pick(COLORS)} ${pick(OBJECTS)}.`,
    swap: () => `Swap the ${thing()} for a ${pick(OBJECTS)}.`,
    attribute_modification: () => any([`Make the ${thing()} look ${pick(ADJECTIVES)}.`, `Blur the background behind the ${thing()}.`]),
    env: () => `Give the ${any(['sky', 'scene', 'background', 'street'])} ${pick(WEATHER)}.`,
    style: () => any([`Turn the photo into a ${pick(STYLES)} painting.`, `Apply a ${pick(STYLES)} look with bold, saturated colors.`]),
    'complex-edit': () =>
      `Replace the ${thing()} with a ${pick(OBJECTS)}, make the ${pick(OBJECTS)} ${pick(COLORS)}, and add ${pick(WEATHER)} to the background.`,
    change_color: () => any([`Make the ${thing()} look ${pick(COLORS)}.`, `Change the color of the ${thing()} to ${pick(COLORS)}.`]),
    change_global: () =>
      any([
        'Invert the colors of the image.',
        `Give the whole image a ${pick(COLORS)} tint.`,
        `Make the image look like ${pick(WEATHER)}.`,
      ]),
    change_local: () => `Make the ${thing()} on ${pick(PLACES)} ${pick(COLORS)}.`,
    transform_global: () =>
      any(['Flip the image horizontally.', 'Rotate the picture slightly clockwise.', 'Zoom in on the center of the image.']),
    transform_local: () => `Move the ${thing()} to ${pick(PLACES)}.`,
    edit: () => any([`Make the photo look like an old ${pick(STYLES)}.`, `Shift the whole scene to a cool ${pick(COLORS)} color cast.`]),
    generate: () => `Turn the photograph into a ${pick(STYLES)} of a ${thing()}.`,
  };
  const description = () =>
    `A ${pick(ADJECTIVES)} ${thing()} ${any(['standing', 'sitting', 'lying', 'seen'])} on ${pick(PLACES)}, with a ${pick(COLORS)} ${pick(OBJECTS)} nearby.`;
  const rewrite = (text: string) =>
    any([`Please ${text[0].toLowerCase()}${text.slice(1)}`, `${text.slice(0, -1)}, keeping everything else unchanged.`]);
  return { r, byTask, description, rewrite };
}

export interface SearchBenchDb {
  file: string;
  datasetId: number;
  items: number;
}

/** The cached database of `items` items (built when missing): no search index yet. */
export async function searchBenchDb(items: number): Promise<SearchBenchDb> {
  const dir = path.join(SEARCH_BENCH_ROOT, `items-${items}-v${BUILD_VERSION}`);
  const file = path.join(dir, 'template.db');
  if (!fs.existsSync(file)) await build(dir, file, items);
  else log(`using the cached database ${file}`);
  return { file, datasetId: 1, items };
}

async function build(dir: string, file: string, total: number) {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const samples = path.join(dir, 'samples', 'gpt-edit');
  fs.cpSync(SAMPLES_DIR, samples, { recursive: true });
  const partial = path.join(dir, 'building.db');
  const db = openDb(partial);
  const sqlite = db.$client;
  sqlite.pragma('cache_size = -524288');
  const started = performance.now();
  const summary = await importGptEdit(db, samples, { dataset: 'bench-search' });
  if (summary.datasetId !== 1) throw new Error('expected a fresh database');
  const template = sqlite.prepare('SELECT * FROM items WHERE dataset_id = 1 ORDER BY id LIMIT 1').get() as Record<string, unknown>;
  const one = (sql: string) => sqlite.prepare(sql).pluck().get() as number;
  let itemId = one('SELECT max(id) FROM items');
  let versionId = one('SELECT max(id) FROM instruction_versions');
  const insertItem = sqlite.prepare(
    `INSERT INTO items (id, dataset_id, external_id, family, task, instruction_type, source_root_id, source_path, source_width,
       source_height, metadata, status, current_instruction_id, current_candidate_id, import_run_id)
     VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?)`,
  );
  const insertVersion = sqlite.prepare('INSERT INTO instruction_versions (id, item_id, kind, text) VALUES (?, ?, ?, ?)');
  const g = generator(20261207);
  const weights = FOLDERS.reduce((sum, [, , w]) => sum + w, 0);
  const toAdd = total - summary.imported;
  let lastLog = performance.now();
  for (let done = 0; done < toAdd;) {
    const n = Math.min(PER_TRANSACTION, toAdd - done);
    sqlite.transaction(() => {
      for (let k = 0; k < n; k++) {
        let pickW = g.r() * weights;
        let folder = FOLDERS[0];
        for (const f of FOLDERS)
          if ((pickW -= f[2]) < 0) {
            folder = f;
            break;
          }
        const [family, task] = folder;
        const original = g.byTask[task]();
        const type = task === 'complex-edit' ? 'complex' : g.r() < 0.25 ? 'rewrite' : 'original';
        const instruction = type === 'rewrite' ? g.rewrite(original) : original;
        const externalId = `bench_${family}_${task}_${String(done + k).padStart(8, '0')}`;
        const metadata = JSON.stringify({
          id: externalId,
          dataset_source: family,
          task,
          instruction,
          instruction_type: type,
          input_description: g.description(),
        });
        itemId++;
        const firstVersion = versionId + 1;
        const current = type === 'rewrite' ? firstVersion + 1 : firstVersion;
        insertItem.run(
          itemId,
          externalId,
          family,
          task,
          type,
          template.source_root_id,
          template.source_path,
          template.source_width,
          template.source_height,
          metadata,
          current,
          template.current_candidate_id,
          template.import_run_id,
        );
        insertVersion.run(++versionId, itemId, 'original', original);
        if (type === 'rewrite') insertVersion.run(++versionId, itemId, 'rewrite', instruction);
      }
    })();
    done += n;
    if (performance.now() - lastLog > 5000 || done === toAdd) {
      lastLog = performance.now();
      log(`  ${(done + summary.imported).toLocaleString('en-US')} / ${total.toLocaleString('en-US')} items`);
    }
  }
  sqlite.transaction(() => {
    sqlite.prepare('DELETE FROM item_counts WHERE dataset_id = 1').run();
    sqlite
      .prepare(
        `INSERT INTO item_counts (dataset_id, family, task, instruction_type, status, n)
         SELECT dataset_id, family, task, instruction_type, status, count(*) FROM items WHERE dataset_id = 1 GROUP BY 1, 2, 3, 4, 5`,
      )
      .run();
  })();
  sqlite.pragma('wal_checkpoint(TRUNCATE)');
  sqlite.close();
  fs.renameSync(partial, file);
  log(`built ${total.toLocaleString('en-US')} items in ${((performance.now() - started) / 1000).toFixed(1)} s: ${file}`);
}
