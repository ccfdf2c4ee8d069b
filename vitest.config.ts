import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = path.resolve(fileURLToPath(new URL('.', import.meta.url)));

export default defineConfig({
  resolve: {
    // Same as tsconfig's `paths: { "@/*": ["./*"] }`.
    alias: { '@': root },
  },
  test: {
    environment: 'node',
    include: ['lib/**/*.test.ts', 'cli/**/*.test.ts'],
    testTimeout: 60_000,
  },
});
