// The console's build: renderer/ → dist/renderer, loaded by the desktop app through app:// and by
// browser mode over http://127.0.0.1 (never file://: Chromium refuses module scripts from files).
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: 'renderer',
  base: './',
  plugins: [react()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    sourcemap: false,
    target: 'chrome120',
    chunkSizeWarningLimit: 2000,
  },
});
