import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

const here = fileURLToPath(new URL('.', import.meta.url));

// The console is built into dist/web and served by Arca under /ui/ (src/server/console-static.ts).
// No asset is inlined (the CSP allows no data: scripts or inline styles) and no source maps ship.
export default defineConfig({
  root: here,
  base: '/ui/',
  plugins: [react()],
  build: { outDir: '../dist/web', emptyOutDir: true, assetsInlineLimit: 0, sourcemap: false, modulePreload: { polyfill: false } },
  test: { include: ['test/**/*.test.ts'], environment: 'node' },
});
