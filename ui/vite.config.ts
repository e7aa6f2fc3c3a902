import { defineConfig } from 'vite';

// The UI is built into ui/dist and served by the Burnwatch service itself (src/ui/): no second server.
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  // npm run dev:ui: hot reload against a service running on :8080 (npm start).
  server: { proxy: { '/api': 'http://127.0.0.1:8080' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // Small enough to read in a review; the size is reported in docs/ui.md.
    reportCompressedSize: true,
    sourcemap: false,
  },
});
