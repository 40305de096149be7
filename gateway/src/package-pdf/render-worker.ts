import { parentPort } from 'node:worker_threads';
import type { PackageForPrint } from './package-document.ts';
import { renderPackagePdf } from './render.ts';

/**
 * A render thread of the PdfWorkerPool: takes one package at a time and answers its PDF. The
 * fonts it opens on its first render stay open for the next (see fonts.ts).
 */
export type RenderRequest = { pkg: PackageForPrint };
export type RenderReply = { pdf: Uint8Array } | { error: string };

if (!parentPort) throw new Error('render-worker.ts runs as a worker thread of the PdfWorkerPool');
const port = parentPort;
port.on('message', ({ pkg }: RenderRequest) => {
  renderPackagePdf(pkg).then(
    (pdf) => port.postMessage({ pdf } satisfies RenderReply),
    (error: unknown) => port.postMessage({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) } satisfies RenderReply),
  );
});
