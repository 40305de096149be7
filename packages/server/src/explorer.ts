import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import Negotiator from 'negotiator';
import type { HubLogger } from './logger.ts';

/** Where the explorer's bundle is served from: its hashed scripts, stylesheet and fonts. */
export const EXPLORER_ASSETS_PATH = '/explorer/assets/';

/**
 * The explorer page's policy: scripts, styles, fonts and requests from the hub's own origin
 * only, so that nothing it does leaves the machine; GraphiQL's stylesheet draws two small
 * images inline (data:), and the page may not be framed.
 */
export const EXPLORER_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "font-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The explorer's build: packages/explorer/dist, with index.html and assets/. */
export interface ExplorerOptions {
  folder: string;
}

export interface Explorer {
  /** A browser's visit: a GET or HEAD whose Accept prefers HTML to every GraphQL answer. */
  wanted(request: FastifyRequest): boolean;
  /** Answers with the explorer's page, or a page saying it is not built. */
  page(reply: FastifyReply): Promise<FastifyReply>;
}

/**
 * The media types a GraphQL answer comes in, as Apollo Server offers them; a request that
 * prefers text/html over all of them is a browser's (Apollo and GraphQL Yoga decide the same way).
 */
const GRAPHQL_MEDIA_TYPES = ['application/json', 'application/graphql-response+json', 'multipart/mixed', 'text/html'];

/** Whether an Accept header prefers a page to a GraphQL answer. */
export function prefersHtml(accept: string | undefined): boolean {
  if (!accept) return false;
  return new Negotiator({ headers: { accept } }).mediaType(GRAPHQL_MEDIA_TYPES) === 'text/html';
}

/**
 * Serves the explorer's files under /explorer/assets/ (@fastify/static: their types, ETags,
 * and cached for a year, since every name carries its content's hash) and gives the page that
 * loads them. Loads no part of the explorer: the hub only sends its files.
 */
export async function registerExplorer(app: FastifyInstance, options: ExplorerOptions, logger: HubLogger): Promise<Explorer> {
  const { default: fastifyStatic } = await import('@fastify/static');
  await app.register(fastifyStatic, {
    root: join(options.folder, 'assets'),
    prefix: EXPLORER_ASSETS_PATH,
    index: false,
    list: false,
    dotfiles: 'deny',
    cacheControl: true,
    maxAge: '365d',
    immutable: true,
    decorateReply: false,
  });

  const pagePath = join(options.folder, 'index.html');
  let toldMissing = false;
  return {
    wanted: (request) => (request.method === 'GET' || request.method === 'HEAD') && prefersHtml(request.headers.accept),
    // Read at each visit (a few hundred bytes): a bundle built while the hub runs is the one shown.
    async page(reply) {
      let page: string;
      try {
        page = await readFile(pagePath, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        if (!toldMissing) {
          toldMissing = true;
          logger.warn(`the explorer is not built (${pagePath} is missing): run \`npm run build\`; GraphQL is served as usual`);
        }
        return sendPage(reply, 503, NOT_BUILT_PAGE);
      }
      return sendPage(reply, 200, page);
    },
  };
}

function sendPage(reply: FastifyReply, status: number, html: string): FastifyReply {
  return reply
    .code(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('content-security-policy', EXPLORER_CONTENT_SECURITY_POLICY)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    // The page names the bundle of the day; its assets are the ones kept for good.
    .header('cache-control', 'no-cache')
    .header('vary', 'accept')
    .send(html);
}

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>The explorer is not built</title></head>
<body>
<h1>The explorer is not built</h1>
<p>This hub serves GraphQL here as usual, but the GraphiQL explorer it shows to browsers was not
built. Run <code>npm run build</code> (<code>npm install</code> does it too) in the hub's folder,
then restart the hub and reload this page.</p>
</body>
</html>
`;
