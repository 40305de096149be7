import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { HubLogger } from './logger.ts';

/**
 * The policy of the pages the hub serves from its own bundles (the explorer, the console):
 * scripts, styles, fonts and requests from the hub's own origin only, so that nothing they do
 * leaves the machine; images may also be inline (data:), and the pages may not be framed.
 */
export const PAGE_CONTENT_SECURITY_POLICY = [
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

export interface BundledPageOptions {
  /** The bundle: index.html and assets/. */
  folder: string;
  /** Where its assets/ are served, e.g. /explorer/assets/. */
  assetsPath: string;
  /** Told in the log, once, when the bundle is missing. */
  missingWarning: (pagePath: string) => string;
  /** The page shown (503) while the bundle is missing. */
  notBuiltPage: string;
}

/**
 * Serves a bundle's files under its assets path (@fastify/static: their types, ETags, and
 * cached for a year, since every name carries its content's hash) and gives the page that loads
 * them, or a page saying it is not built. Loads nothing of the bundle: the hub only sends its files.
 */
export async function registerBundledPage(app: FastifyInstance, options: BundledPageOptions, logger: HubLogger): Promise<(reply: FastifyReply) => Promise<FastifyReply>> {
  const { default: fastifyStatic } = await import('@fastify/static');
  await app.register(fastifyStatic, {
    root: join(options.folder, 'assets'),
    prefix: options.assetsPath,
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
  // Read at each visit (a few hundred bytes): a bundle built while the hub runs is the one shown.
  return async (reply) => {
    let page: string;
    try {
      page = await readFile(pagePath, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      if (!toldMissing) {
        toldMissing = true;
        logger.warn(options.missingWarning(pagePath));
      }
      return sendPage(reply, 503, options.notBuiltPage);
    }
    return sendPage(reply, 200, page);
  };
}

function sendPage(reply: FastifyReply, status: number, html: string): FastifyReply {
  return reply
    .code(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('content-security-policy', PAGE_CONTENT_SECURITY_POLICY)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    // The page names the bundle of the day; its assets are the ones kept for good.
    .header('cache-control', 'no-cache')
    .header('vary', 'accept')
    .send(html);
}
