import type { Readable } from 'node:stream';
import type { ApolloServer } from '@apollo/server';
import { ErrorCode } from '@hub/common';
import { HttpRejection, type HttpAnswer, type HttpRoute, type RouteRequest } from '@hub/server';
import type { GatewayContext } from '../gateway-context.ts';
import type { Admission } from '../request-context.ts';
import { ACTIVITIES_PER_PAGE, AGREEMENT_PROGRESS, PACKAGE_LINES, PIPELINE_ACTIVITIES, PIPELINE_ROWS, PIPELINE_TOTALS, ROWS_PER_PAGE } from './documents.ts';
import { invalid, pipelineFilterOf, refuseUnknown, type PipelineFilterInput } from './filter.ts';
import { GRANT_STAGES, giving360Package, grantsOfPage } from './giving360.ts';
import { GraphReader } from './graph-reader.ts';
import { iatiActivityFile, publishedOnly } from './iati.ts';
import { allPages, openPipeline, readUntilFirst } from './pages.ts';
import type { OpenDataPublisher } from './publisher.ts';
import type { FunnelTotals, ProjectActivity, ProjectRow } from './records.ts';
import { csvFile, xlsxFile, type Table } from './spreadsheet.ts';
import { packageTable, pipelineAbout, pipelineRow, progressTable, PIPELINE_COLUMNS, type AgreementRead, type PackageRead } from './tables.ts';

/** No project or grant matches the filter: the standards allow no empty file. */
export const NOTHING_TO_EXPORT = 'NOTHING_TO_EXPORT';

export interface ExportSettings {
  publisher: OpenDataPublisher;
  /** How long each read of the graph may take (`REQUEST_TIMEOUT_MS`). */
  timeoutMs: number;
  /** When a download is made; a test may fix it. */
  now?: () => Date;
}

type SpreadsheetFormat = 'csv' | 'xlsx';

const CONTENT_TYPES = {
  csv: 'text/csv; charset=utf-8; header=present',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  xml: 'application/xml; charset=utf-8',
  json: 'application/json; charset=utf-8',
} as const;

/**
 * The downloads under /exports/, beside GraphQL: each runs the graph's own operations through
 * this gateway's ApolloServer with the caller's identity, admitted as a GraphQL request is
 * (rate limits, token), so that what a caller may not read in the graph it cannot download.
 * See docs/decisions/0037-open-data-and-spreadsheet-exports.md.
 *
 *   GET /exports/pipeline.iati.xml             IATI 2.03 activities of the published projects
 *   GET /exports/grants.360giving.json         360Giving 1.4 package of the signed grants
 *   GET /exports/pipeline.csv | .xlsx          the pipeline, a row a project
 *     (each takes the pipeline's filter: stage, county, prefecture, field, organization,
 *     year, provenance; synthetic demo data only when `provenance` names it)
 *   GET /exports/ceremonies/{id}/packages/{version|latest}.csv | .xlsx   a package's lines
 *   GET /exports/agreements/{id}/progress.csv | .xlsx                   an agreement's progress
 */
export function exportRoutes(server: ApolloServer<GatewayContext>, admit: Admission, settings: ExportSettings): HttpRoute[] {
  const now = settings.now ?? (() => new Date());
  const readerFor = async (request: RouteRequest) => new GraphReader(server, await admit(request), settings.timeoutMs);

  return [
    {
      name: 'export-iati',
      match: (pathname) => (pathname === '/exports/pipeline.iati.xml' ? {} : null),
      async get(request) {
        const filter = pipelineFilterOf(request.url.searchParams);
        const reader = await readerFor(request);
        const pages = allPages(await openPipeline<ProjectActivity>(reader, PIPELINE_ACTIVITIES, filter, ACTIVITIES_PER_PAGE));
        const head = await readUntilFirst(pages, publishedOnly);
        if (!head) throw nothingToExport('No published project matches the filter; an IATI file holds at least one activity.', reader);
        const generatedAt = now();
        const body = headOnly(request, pages, () =>
          iatiActivityFile(head, pages, { publisher: settings.publisher, generatedAt, includesSyntheticDemo: includesDemo(filter) }),
        );
        return download(reader, filter, 'xml', `pipeline-iati-${day(generatedAt)}.xml`, body);
      },
    },
    {
      name: 'export-360giving',
      match: (pathname) => (pathname === '/exports/grants.360giving.json' ? {} : null),
      async get(request) {
        const filter = pipelineFilterOf(request.url.searchParams);
        // Only projects signed at some point hold commitments: the others are not read at all.
        const grantFilter = { ...filter, stages: (filter.stages ?? GRANT_STAGES).filter((stage) => GRANT_STAGES.includes(stage)) };
        const reader = await readerFor(request);
        if (grantFilter.stages.length === 0) throw nothingToExport('No signed grant can match these stages: only signed projects hold grants.', reader);
        const pages = allPages(await openPipeline<ProjectActivity>(reader, PIPELINE_ACTIVITIES, grantFilter, ACTIVITIES_PER_PAGE));
        const head = await readUntilFirst(pages, (page) => grantsOfPage(page, settings.publisher));
        if (!head) throw nothingToExport('No signed grant matches the filter; a 360Giving package holds at least one grant.', reader);
        const generatedAt = now();
        const body = headOnly(request, pages, () =>
          giving360Package(head, pages, { publisher: settings.publisher, generatedAt, includesSyntheticDemo: includesDemo(filter) }),
        );
        return download(reader, filter, 'json', `grants-360giving-${day(generatedAt)}.json`, body);
      },
    },
    {
      name: 'export-pipeline',
      match: (pathname) => {
        const format = /^\/exports\/pipeline\.(csv|xlsx)$/.exec(pathname)?.[1];
        return format ? { format } : null;
      },
      async get(request) {
        const format = request.params.format as SpreadsheetFormat;
        const filter = pipelineFilterOf(request.url.searchParams);
        const reader = await readerFor(request);
        const opened = await openPipeline<ProjectRow>(reader, PIPELINE_ROWS, filter, ROWS_PER_PAGE);
        const generatedAt = now();
        // The graph's totals for the same filter, for the workbook's second sheet.
        const totals = format === 'xlsx' ? (await reader.read<{ funnel: FunnelTotals[] }>(PIPELINE_TOTALS, { filter })).funnel : [];
        const pages = allPages(opened);
        const table: Table = {
          sheetName: '签约项目 Pipeline',
          columns: PIPELINE_COLUMNS,
          rows: (async function* () {
            for await (const page of pages) yield page.map(pipelineRow);
          })(),
          about: pipelineAbout(filter, totals, generatedAt),
        };
        return download(reader, filter, format, `pipeline-${day(generatedAt)}.${format}`, headOnly(request, pages, () => spreadsheet(format, table)));
      },
    },
    {
      name: 'export-package',
      match: (pathname) => {
        const found = /^\/exports\/ceremonies\/([^/]+)\/packages\/(latest|\d{1,10})\.(csv|xlsx)$/.exec(pathname);
        return found ? { ceremonyId: found[1]!, version: found[2]!, format: found[3]! } : null;
      },
      async get(request) {
        refuseUnknown(request.url.searchParams, []);
        const format = request.params.format as SpreadsheetFormat;
        const ceremonyId = decodedSegment(request.params.ceremonyId!);
        const version = request.params.version === 'latest' ? null : Number(request.params.version);
        if (version !== null && (version < 1 || version > 2 ** 31 - 1)) throw invalid('version', 'is a package version from 1, or "latest"');
        const reader = await readerFor(request);
        const { ceremonyPackage } = await reader.read<{ ceremonyPackage: PackageRead | null }>(PACKAGE_LINES, { ceremonyId, version });
        if (!ceremonyPackage) throw new HttpRejection(404, ErrorCode.NotFound, `No package of ceremony ${ceremonyId} is visible to the caller.`, requestIdOf(reader));
        const generatedAt = now();
        const table = packageTable(ceremonyPackage, generatedAt);
        const filename = `${ceremonyPackage.ceremony.id}-v${ceremonyPackage.version}.${format}`;
        return download(reader, { provenance: [ceremonyPackage.provenance.kind] }, format, filename, headOnly(request, null, () => spreadsheet(format, table)), {
          // Until it is signed, a package is for the offices and its signatories only.
          public: ceremonyPackage.status === 'SIGNED',
        });
      },
    },
    {
      name: 'export-progress',
      match: (pathname) => {
        const found = /^\/exports\/agreements\/([^/]+)\/progress\.(csv|xlsx)$/.exec(pathname);
        return found ? { agreementId: found[1]!, format: found[2]! } : null;
      },
      async get(request) {
        refuseUnknown(request.url.searchParams, []);
        const format = request.params.format as SpreadsheetFormat;
        const id = decodedSegment(request.params.agreementId!);
        const reader = await readerFor(request);
        const { agreement } = await reader.read<{ agreement: AgreementRead | null }>(AGREEMENT_PROGRESS, { id });
        if (!agreement) throw new HttpRejection(404, ErrorCode.NotFound, `No agreement ${id}.`, requestIdOf(reader));
        const generatedAt = now();
        const table = progressTable(agreement, generatedAt);
        return download(reader, { provenance: [agreement.provenance.kind] }, format, `${agreement.id}-progress-${day(generatedAt)}.${format}`, headOnly(request, null, () => spreadsheet(format, table)));
      },
    },
  ];
}

function spreadsheet(format: SpreadsheetFormat, table: Table): Readable {
  return format === 'csv' ? csvFile(table) : xlsxFile(table);
}

/** A HEAD is answered from the same checks, without reading the pages left or making the file. */
function headOnly(request: RouteRequest, pages: AsyncGenerator<unknown> | null, make: () => Readable): Readable | null {
  if (request.request.method !== 'HEAD') return make();
  void pages?.return(undefined);
  return null;
}

function download(
  reader: GraphReader,
  filter: Pick<PipelineFilterInput, 'provenance'>,
  format: keyof typeof CONTENT_TYPES,
  filename: string,
  body: Readable | null,
  { public: shared = false } = {},
): HttpAnswer {
  return {
    status: 200,
    headers: {
      ...requestIdOf(reader),
      'content-type': CONTENT_TYPES[format],
      'content-disposition': `attachment; filename="${filename.replace(/[^A-Za-z0-9._-]/g, '_')}"`,
      // What a caller downloads depends on who it is: no shared cache keeps it, unless it is public.
      'cache-control': shared ? 'public, max-age=300' : 'private, no-store',
      'x-content-type-options': 'nosniff',
      // Which kinds of record the file holds: SYNTHETIC_DEMO among them says it includes demo data.
      'x-provenance': filter.provenance.join(','),
    },
    body,
  };
}

function includesDemo(filter: PipelineFilterInput): boolean {
  return filter.provenance.includes('SYNTHETIC_DEMO');
}

function nothingToExport(message: string, reader: GraphReader): HttpRejection {
  return new HttpRejection(404, NOTHING_TO_EXPORT, message, requestIdOf(reader));
}

function requestIdOf(reader: GraphReader): Record<string, string> {
  return { 'x-request-id': reader.requestId };
}

function decodedSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpRejection(400, 'BAD_REQUEST', 'An id in the path is not valid percent-encoding.');
  }
}

function day(date: Date): string {
  return date.toISOString().slice(0, 10);
}
