import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = path.resolve(fileURLToPath(new URL('.', import.meta.url)));

export default defineConfig({
  resolve: {
    // Same as tsconfig's `paths: { "@/*": ["./*"] }`.
    // server-only throws outside React's server build; route handlers are tested in plain Node.
    alias: { '@': root, 'server-only': path.join(root, 'node_modules/server-only/empty.js') },
  },
  test: {
    environment: 'node',
    // components/: pure UI logic in node; hooks under a per-file `// @vitest-environment jsdom`.
    include: ['lib/**/*.test.ts', 'cli/**/*.test.ts', 'db/**/*.test.ts', 'components/**/*.test.{ts,tsx}'],
    testTimeout: 60_000,
  },
});
