import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// Static, offline site: every asset is bundled locally (no CDN). Heavy parts (Monaco,
// Mermaid, the Go parser, the simulation worker) are lazy-loaded chunks.
export default defineConfig({
  base: './',
  plugins: [react()],
  worker: { format: 'es' },
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1', port: 4173, strictPort: true },
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 4096,
    rolldownOptions: {
      // web-tree-sitter's Emscripten glue contains `eval`; it never sees learner text.
      checks: { eval: false },
    },
  },
});
