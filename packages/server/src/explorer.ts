import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import Negotiator from 'negotiator';
import { PAGE_CONTENT_SECURITY_POLICY, registerBundledPage } from './bundled-page.ts';
import type { HubLogger } from './logger.ts';

/** Where the explorer's bundle is served from: its hashed scripts, stylesheet and fonts. */
export const EXPLORER_ASSETS_PATH = '/explorer/assets/';

/** The explorer page's policy: the hub's own origin only (see PAGE_CONTENT_SECURITY_POLICY). */
export const EXPLORER_CONTENT_SECURITY_POLICY = PAGE_CONTENT_SECURITY_POLICY;

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

/** A browser's visit to a page: a GET or HEAD whose Accept prefers HTML to every GraphQL answer. */
export function isBrowserVisit(request: FastifyRequest): boolean {
  return (request.method === 'GET' || request.method === 'HEAD') && prefersHtml(request.headers.accept);
}

/** Serves the explorer's files under /explorer/assets/ and gives the page that loads them. */
export async function registerExplorer(app: FastifyInstance, options: ExplorerOptions, logger: HubLogger): Promise<Explorer> {
  const page = await registerBundledPage(
    app,
    {
      folder: options.folder,
      assetsPath: EXPLORER_ASSETS_PATH,
      missingWarning: (pagePath) => `the explorer is not built (${pagePath} is missing): run \`npm run build\`; GraphQL is served as usual`,
      notBuiltPage: NOT_BUILT_PAGE,
    },
    logger,
  );
  return {
    wanted: isBrowserVisit,
    page,
  };
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
