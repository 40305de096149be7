import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

/**
 * The console: a React app bundled into dist/ (`npm run build`, which scripts/build.mjs runs on
 * install and when an input changes). The hub serves dist/index.html at / and the console's
 * paths for browsers, and dist/assets/ under /console/assets/; nothing is loaded from anywhere
 * else: the page's Content-Security-Policy allows only the hub's own origin.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  logLevel: 'warn',
  plugins: [typesFromSchema(), woff2Only()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // No inline script: the page's policy allows scripts from the hub's origin only.
    modulePreload: { polyfill: false },
    // Nothing inline either (a font slice as a data: URL would be refused by `font-src 'self'`).
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 1_000,
    rolldownOptions: {
      // Codegen's run, timed as a plugin's, is most of a build, on purpose.
      checks: { pluginTimings: false },
      // React Query marks its modules "use client", which means nothing in a bundle for the browser.
      onLog(level, log, handler) {
        if (log.code !== 'MODULE_LEVEL_DIRECTIVE') handler(level, log);
      },
    },
  },
});

/**
 * Writes src/gql/ (codegen.ts) before the bundle reads it, so that a build never runs on stale
 * types. In a process of its own, as Node loads it: Apollo's federation code and graphql-codegen
 * must share one graphql, the CommonJS one Node gives them both, which Vite's config loader would not.
 */
function typesFromSchema(): Plugin {
  return {
    name: 'types-from-schema',
    buildStart() {
      execFileSync(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./codegen.ts', import.meta.url))], { stdio: ['ignore', 'ignore', 'inherit'] });
    },
  };
}

/**
 * Noto Sans SC's stylesheets (@fontsource) offer each slice as woff2 and, for old browsers,
 * woff; every browser the offices use reads woff2, so the woff copies (as many megabytes again)
 * are left out of the bundle.
 */
function woff2Only(): Plugin {
  return {
    name: 'woff2-only',
    enforce: 'pre',
    transform(code, id) {
      if (!/@fontsource[\\/]noto-sans-sc[\\/].*\.css$/.test(id)) return null;
      return { code: code.replace(/,\s*url\([^)]*\.woff\) format\('woff'\)/g, ''), map: null };
    },
  };
}
