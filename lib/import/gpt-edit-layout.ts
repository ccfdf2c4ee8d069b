import fs from 'node:fs';
import path from 'node:path';

/** One task folder of the released layout: `<family>/<task>/{input,output,metadata}`. */
export interface TaskFolder {
  dir: string;
  metadataFiles: string[];
}

const METADATA_FILE = /\.(json|jsonl)$/i;
// Image folders hold up to 300k files each; never list them while looking for metadata.
const IMAGE_FOLDERS = new Set(['input', 'output']);

/**
 * Finds the task folders to import from a path that is the dataset root, any folder
 * inside it (a family, a task, a task's metadata/input/output folder) or one metadata file.
 */
export function findTaskFolders(start: string): TaskFolder[] {
  const stat = fs.statSync(start); // throws ENOENT for a missing path: reported by the caller
  if (stat.isFile()) {
    const metadataDir = path.dirname(start);
    const dir = path.basename(metadataDir) === 'metadata' ? path.dirname(metadataDir) : metadataDir;
    return [{ dir, metadataFiles: [start] }];
  }
  const base = path.basename(start);
  if (base === 'metadata' || IMAGE_FOLDERS.has(base)) {
    const parent = path.dirname(start);
    if (fs.existsSync(path.join(parent, 'metadata'))) return findTaskFolders(parent);
  }
  const found: TaskFolder[] = [];
  walk(start, found);
  return found.sort((a, b) => a.dir.localeCompare(b.dir));
}

function walk(dir: string, found: TaskFolder[]) {
  const entries = fs.readdirSync(dir, { withFileTypes: true });
  const metadata = entries.find((e) => e.isDirectory() && e.name === 'metadata');
  if (metadata) {
    const metadataDir = path.join(dir, 'metadata');
    const files = fs
      .readdirSync(metadataDir, { withFileTypes: true })
      .filter((e) => e.isFile() && METADATA_FILE.test(e.name))
      .map((e) => path.join(metadataDir, e.name))
      .sort();
    if (files.length) found.push({ dir, metadataFiles: files });
    return;
  }
  for (const entry of entries) {
    if (entry.isDirectory() && !IMAGE_FOLDERS.has(entry.name) && !entry.name.startsWith('.')) {
      walk(path.join(dir, entry.name), found);
    }
  }
}
