/**
 * The `<herald-inbox>` element's build: one classic script, `inbox.js`, that a site loads with a
 * plain `<script src>` (no module loader, no framework, no CORS needed for the script itself).
 * Served at /inbox.js: locally by local/admin-static.ts, on AWS from the admin app's bucket (lib/admin.ts).
 */
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    reportCompressedSize: false,
    lib: { entry: 'src/index.ts', formats: ['iife'], name: 'HeraldInbox', fileName: () => 'inbox.js' },
  },
});
