import path from 'node:path';

/**
 * Validates a path taken from data (a metadata record) as relative to its root.
 * Returns the normalised POSIX form, or a reason it is refused. Refused: empty paths,
 * absolute paths (POSIX, Windows drive or UNC), NUL bytes, and anything that leaves the root.
 */
export function checkRelativePath(value: unknown): { ok: true; path: string } | { ok: false; reason: string } {
  if (typeof value !== 'string' || value.trim() === '') return { ok: false, reason: 'empty image path' };
  if (value.includes('\0')) return { ok: false, reason: 'image path contains a NUL byte' };
  const slashed = value.replace(/\\/g, '/');
  if (slashed.startsWith('/') || /^[a-zA-Z]:/.test(slashed)) {
    return { ok: false, reason: `absolute image path not allowed: ${value}` };
  }
  const normalised = path.posix.normalize(slashed);
  if (normalised === '..' || normalised.startsWith('../') || normalised === '.') {
    return { ok: false, reason: `image path escapes its folder: ${value}` };
  }
  return { ok: true, path: normalised };
}

/** Joins a checked relative path to its root, refusing (again) anything outside the root. */
export function resolveInRoot(root: string, relative: string): string {
  const full = path.resolve(root, relative);
  if (full !== root && !full.startsWith(root.endsWith(path.sep) ? root : root + path.sep)) {
    throw new Error('path escapes its root');
  }
  return full;
}
