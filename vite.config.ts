// The console's build: renderer/ → dist/renderer, loaded by the desktop app through app:// and by
// browser mode over http://127.0.0.1 (never file://: Chromium refuses module scripts from files).
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';
import { cspMetaTag } from './electron/serving/console-security.js';

/** Where index.html wants the tag; the build fails when it is gone rather than ship a page without it. */
const CSP_MARKER =
  '<!-- The Content-Security-Policy meta tag is written by the build from electron/serving/console-security.ts. -->';

/** The page's CSP meta tag, written from the policy both shells send as a header: one source. */
function contentSecurityPolicyMeta(): Plugin {
  return {
    name: 'frameline-csp-meta',
    transformIndexHtml(html) {
      if (!html.includes(CSP_MARKER))
        throw new Error(`renderer/index.html lost its CSP marker: ${CSP_MARKER}`);
      return html.replace(CSP_MARKER, cspMetaTag());
    },
  };
}

export default defineConfig({
  root: 'renderer',
  base: './',
  plugins: [contentSecurityPolicyMeta(), react()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    sourcemap: false,
    target: 'chrome120',
    chunkSizeWarningLimit: 2000,
  },
});
