import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { registerBundledPage } from './bundled-page.ts';
import { EXPLORER_ASSETS_PATH, isBrowserVisit } from './explorer.ts';
import type { HubLogger } from './logger.ts';

/** Where the console's bundle is served from: its hashed scripts, stylesheet and font slices. */
export const CONSOLE_ASSETS_PATH = '/console/assets/';

/**
 * Paths that are never the console's, whoever asks: GraphQL (and the explorer on it), the
 * probes, the metrics, the downloads and the bundles' own files. A browser asking for one of
 * them gets what anyone else gets.
 */
const NOT_CONSOLE = ['/graphql', '/livez', '/readyz', '/health', '/healthz', '/metrics'];
const NOT_CONSOLE_PREFIXES = ['/graphql/', '/exports/', EXPLORER_ASSETS_PATH, '/explorer/', '/console/'];

/** The console's build: packages/console/dist, with index.html and assets/. */
export interface ConsoleOptions {
  folder: string;
}

export interface Console {
  /**
   * A browser's visit to a page of the console: a GET or HEAD whose Accept prefers HTML to every
   * GraphQL answer, of / or of any path that is not one of the hub's own resources. The console
   * routes in the browser, and says itself when it has no page at a path.
   */
  wanted(request: FastifyRequest, pathname: string): boolean;
  /** Answers with the console's page, or a page saying it is not built. */
  page(reply: FastifyReply): Promise<FastifyReply>;
}

/**
 * Whether a path may be a page of the console: / and any path that is not the hub's own, and
 * that names no file (a last segment with an extension, as /ceremonies/…/packages/1.pdf: the
 * hub's routes serve files, the console's paths never do, so a file asked for while the hub
 * starts is not taken for a page).
 */
export function isConsolePath(pathname: string): boolean {
  const last = pathname.slice(pathname.lastIndexOf('/') + 1);
  return !NOT_CONSOLE.includes(pathname) && !NOT_CONSOLE_PREFIXES.some((prefix) => pathname.startsWith(prefix)) && !last.includes('.');
}

/**
 * Serves the console's files under /console/assets/ and gives the page that loads them. Unlike
 * the explorer, it is served in production too: it sends only the trusted documents of the
 * hub's manifest, and introspects nothing.
 */
export async function registerConsole(app: FastifyInstance, options: ConsoleOptions, logger: HubLogger): Promise<Console> {
  const page = await registerBundledPage(
    app,
    {
      folder: options.folder,
      assetsPath: CONSOLE_ASSETS_PATH,
      missingWarning: (pagePath) => `the console is not built (${pagePath} is missing): run \`npm run build\`; GraphQL is served as usual`,
      notBuiltPage: NOT_BUILT_PAGE,
    },
    logger,
  );
  return {
    wanted: (request, pathname) => isBrowserVisit(request) && isConsolePath(pathname),
    page,
  };
}

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="zh-CN">
<head><meta charset="utf-8"><title>The console is not built · 控制台尚未构建</title></head>
<body>
<h1>The console is not built</h1>
<p>This hub serves GraphQL at <code>/graphql</code> as usual, but the web console it shows to
browsers was not built. Run <code>npm run build</code> (<code>npm install</code> does it too) in
the hub's folder, then restart the hub and reload this page.</p>
<p lang="zh-CN">网页控制台尚未构建。请在本平台的目录中运行 <code>npm run build</code>（<code>npm install</code>
也会构建），然后重启并刷新本页。</p>
</body>
</html>
`;
