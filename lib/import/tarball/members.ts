import path from 'node:path';
import { checkRelativePath } from '../../images/paths';

/**
 * What a tar member is, from its name: `[gpt-edit/]<family>/<task>/{input,output}/<id>.png`
 * is an image, `[gpt-edit/]<family>/<task>/metadata/<name>.json(l)` is metadata, anything
 * else is passed over. The release's member names may or may not carry the leading
 * `gpt-edit/`; both name the same image.
 */
export type Member =
  /** `key` is the image's path relative to the layout root (`hqedit/edit/input/1.png`). */
  | { kind: 'image'; key: string }
  /** `taskDir` is the task folder relative to the layout root (`hqedit/edit`), which the record's paths are relative to. */
  | { kind: 'metadata'; taskDir: string }
  | { kind: 'other' };

const ROOT = 'gpt-edit/';
const METADATA = /\.(json|jsonl)$/i;
const IMAGE_SIDES = new Set(['input', 'output']);

export function classifyMember(name: string): Member {
  const checked = checkRelativePath(name);
  if (!checked.ok) return { kind: 'other' }; // absolute or escaping names are never written anywhere: passed over
  // A name with a `..` part is passed over as GNU tar skips it when extracting (not read as the image it resolves to).
  if (name.split(/[\\/]/).includes('..')) return { kind: 'other' };
  const relative = layoutPath(checked.path);
  const parts = relative.split('/');
  const folder = parts.at(-2);
  if (folder === 'metadata' && METADATA.test(relative)) return { kind: 'metadata', taskDir: parts.slice(0, -2).join('/') };
  if (folder !== undefined && IMAGE_SIDES.has(folder) && parts.length >= 3) return { kind: 'image', key: relative };
  return { kind: 'other' };
}

/** A member's path relative to the layout root: without a leading `./` or `gpt-edit/`. */
export function layoutPath(name: string): string {
  const normalised = path.posix.normalize(name);
  return normalised.startsWith(ROOT) ? normalised.slice(ROOT.length) : normalised;
}

/** The key of the image a record names: its path relative to the record's task folder, joined to that folder. */
export function imageKey(taskDir: string, recordPath: string): string {
  return taskDir ? `${taskDir}/${recordPath}` : recordPath;
}
