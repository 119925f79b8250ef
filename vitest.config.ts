import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

export default defineConfig({
  plugins: [react()],
  test: {
    include: ['src/**/*.test.{ts,tsx}', 'lessons/**/*.test.ts', 'scripts/**/*.test.ts'],
    environment: 'node',
    // UI tests opt into jsdom with a `// @vitest-environment jsdom` docblock.
    pool: 'threads',
    testTimeout: 20000,
  },
});
