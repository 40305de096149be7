import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import { readmeExamples } from './src/readme-examples.ts';

const README = fileURLToPath(new URL('../../README.md', import.meta.url));

/**
 * The explorer: GraphiQL and its sign-in box, bundled into dist/ (`npm run build`, which
 * scripts/build.mjs runs on install and when a source changes). The hub serves dist/index.html
 * at /graphql for browsers and dist/assets/ under /explorer/assets/, and nothing is loaded from
 * anywhere else: the page's Content-Security-Policy allows only the hub's own origin.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/explorer/',
  logLevel: 'warn',
  plugins: [readmeExampleTabs(), fontsAsFiles()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // No inline script: the page's policy allows scripts from the hub's origin only.
    modulePreload: { polyfill: false },
    // GraphiQL with its editors, React and graphql-js: one bundle, loaded once and cached for good.
    chunkSizeWarningLimit: 4_000,
    rolldownOptions: {
      // framer-motion marks its modules "use client", which means nothing in a bundle for the browser.
      onLog(level, log, handler) {
        if (log.code !== 'MODULE_LEVEL_DIRECTIVE') handler(level, log);
      },
    },
  },
});

/** `virtual:readme-examples`: README's example operations, read when the explorer is built. */
function readmeExampleTabs(): Plugin {
  const id = 'virtual:readme-examples';
  return {
    name: 'readme-example-tabs',
    resolveId: (source) => (source === id ? `\0${id}` : null),
    load(resolved) {
      if (resolved !== `\0${id}`) return null;
      this.addWatchFile(README);
      return `export default ${JSON.stringify(readmeExamples(readFileSync(README, 'utf8')))};`;
    },
  };
}

/**
 * GraphiQL's stylesheets carry their fonts (Roboto, Fira Code) inline as data: URLs. They are
 * written out as files of their own beside the stylesheet, so that the page's policy can say
 * `font-src 'self'` and nothing else, and each font is cached once.
 */
function fontsAsFiles(): Plugin {
  return {
    name: 'fonts-as-files',
    generateBundle(_options, bundle) {
      for (const asset of Object.values(bundle)) {
        if (asset.type !== 'asset' || !asset.fileName.endsWith('.css')) continue;
        const css = String(asset.source);
        asset.source = css.replace(/url\(\s*["']?data:font\/(woff2?|ttf|otf);base64,([A-Za-z0-9+/=]+)["']?\s*\)/g, (_match, format: string, base64: string) => {
          const font = Buffer.from(base64, 'base64');
          const fileName = `assets/font-${createHash('sha256').update(font).digest('hex').slice(0, 12)}.${format}`;
          if (!bundle[fileName]) this.emitFile({ type: 'asset', fileName, source: font });
          // The stylesheet is in assets/ too.
          return `url(./${fileName.slice('assets/'.length)})`;
        });
      }
    },
  };
}
