import type { Db } from '@/db';
import type { ImportOptions, ImportSummary } from './import-gpt-edit';

/**
 * One input format `npm run loupe -- import --format NAME` understands. Lives below the registry
 * (formats.ts) so the formats it lists can import this type without importing the registry.
 */
export interface ImportFormat {
  name: string;
  description: string;
  /** A cheap look at the path (a few bytes, a directory listing): is it this format? */
  detect: (path: string) => Promise<boolean>;
  run: (db: Db, path: string, options: ImportOptions) => Promise<ImportSummary>;
  /** Reads several paths as one source (the parts of split tarballs); formats without it take one path. */
  runSeveral?: (db: Db, paths: string[], options: ImportOptions) => Promise<ImportSummary>;
}
