import type { ImportFormat } from '../format-types';
import { importTarball, TARBALL_FORMAT_NAME } from './import-tarball';
import { looksLikeTarballs } from './parts';

/** The release's split gzip tarballs (`hqedit.tar.gz.part001`, …) or whole ones, read without extracting. */
export const TARBALL_FORMAT: ImportFormat = {
  name: TARBALL_FORMAT_NAME,
  description: 'GPT-Image-Edit-1.5M split tarballs (NAME.tar.gz.partNNN, or NAME.tar.gz): a folder of them, or the parts',
  detect: async (target) => looksLikeTarballs(target),
  run: (db, target, options) => importTarball(db, [target], options),
  runSeveral: (db, targets, options) => importTarball(db, targets, options),
};
