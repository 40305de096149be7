import type { ApolloServer } from '@apollo/server';
import { ErrorCode } from '@hub/common';
import { currentDeadline, isDeadlineExceeded } from '@hub/db';
import { HttpRejection, type HttpAnswer, type HttpRoute } from '@hub/server';
import type { GraphQLFormattedError } from 'graphql';
import type { GatewayContext } from '../gateway-context.ts';
import type { Admission } from '../request-context.ts';
import { PACKAGE_FOR_PRINT, type PackageForPrint } from './package-document.ts';
import { PrinterBusyError, type PackagePrinter } from './printer.ts';

/** `Package.pdfPath`: /ceremonies/{ceremonyId}/packages/{version}.pdf */
const PDF_PATH = /^\/ceremonies\/([^/]+)\/packages\/(\d{1,10})\.pdf$/;
const MAX_GRAPHQL_INT = 2 ** 31 - 1;

/**
 * GET /ceremonies/{ceremonyId}/packages/{version}.pdf: a final (or signing, signed or
 * superseded) package, printed. The caller is admitted as a GraphQL request is (rate limits,
 * token), and the package is read through this gateway's own graph with the caller's
 * identity, so that the pairing subgraph's visibility rule alone decides who may print a
 * package not yet signed: to anyone else it does not exist. The printer renders off the event
 * loop, with a bounded line (503 OVERLOADED past it), and keeps signed packages' PDFs; a HEAD
 * is answered from the same checks without rendering.
 */
export function packagePdfRoute(server: ApolloServer<GatewayContext>, admit: Admission, printer: PackagePrinter): HttpRoute {
  return {
    name: 'package-pdf',
    match(pathname) {
      const match = PDF_PATH.exec(pathname);
      return match ? { ceremonyId: match[1]!, version: match[2]! } : null;
    },
    async get(request) {
      const context = await admit(request);
      const ceremonyId = decodedSegment(request.params.ceremonyId!);
      const version = Number(request.params.version);
      if (version < 1 || version > MAX_GRAPHQL_INT) throw notFound(ceremonyId, request.params.version!);

      const response = await server.executeOperation<{ ceremonyPackage: PackageForPrint | null }>(
        { query: PACKAGE_FOR_PRINT, variables: { ceremonyId, version } },
        { contextValue: context },
      );
      if (response.body.kind !== 'single') throw new Error('the package query was answered incrementally');
      const { data, errors } = response.body.singleResult;
      const requestId = { 'x-request-id': context.requestId };
      // A package printed with a part missing (a subgraph down) would read as complete: no print.
      if (errors?.length) throw refusalFor(errors, ceremonyId, version, requestId);
      const pkg = data?.ceremonyPackage;
      if (!pkg) throw notFound(ceremonyId, String(version), requestId);
      if (pkg.status === 'DRAFT') {
        throw new HttpRejection(
          409,
          ErrorCode.PackageNotFinal,
          `Version ${version} of the package of ceremony ${ceremonyId} is a draft: only a final package is printed. Finalize it first.`,
          requestId,
        );
      }
      // Its headers say what a GET would answer; the body (and so its length) only if it is kept.
      if (request.request.method === 'HEAD') return printed(pkg, printer.printed(pkg) ?? null, requestId);
      return printed(pkg, await print(printer, pkg, requestId), requestId);
    },
  };
}

async function print(printer: PackagePrinter, pkg: PackageForPrint, headers: Record<string, string>): Promise<Buffer> {
  try {
    return await printer.print(pkg, currentDeadline());
  } catch (error) {
    const retry = { ...headers, 'retry-after': '1' };
    if (error instanceof PrinterBusyError) {
      throw new HttpRejection(503, ErrorCode.Overloaded, 'The hub is printing as many packages as it can; try again in a moment.', retry);
    }
    if (isDeadlineExceeded(error)) {
      throw new HttpRejection(503, ErrorCode.Timeout, 'The package waited longer than its limit to be printed; try again.', retry);
    }
    throw error;
  }
}

function printed(pkg: PackageForPrint, pdf: Buffer | null, headers: Record<string, string>): HttpAnswer {
  const filename = `${pkg.ceremony.id}-v${pkg.version}.pdf`.replace(/[^A-Za-z0-9._-]/g, '_');
  return {
    status: 200,
    headers: {
      ...headers,
      'content-type': 'application/pdf',
      'content-disposition': `inline; filename="${filename}"`,
      // Until it is signed, a package is for the offices and its signatories only: no shared cache keeps it.
      'cache-control': pkg.status === 'SIGNED' ? 'public, max-age=300' : 'private, no-store',
      'x-content-type-options': 'nosniff',
    },
    body: pdf,
  };
}

function decodedSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpRejection(400, 'BAD_REQUEST', 'The ceremony id in the path is not valid percent-encoding.');
  }
}

function notFound(ceremonyId: string, version: string, headers: Record<string, string> = {}): HttpRejection {
  return new HttpRejection(404, ErrorCode.NotFound, `No package version ${version} of ceremony ${ceremonyId} is visible to the caller.`, headers);
}

/** The graph's refusal as an HTTP answer: unknown or not visible is 404, a part out of reach 503. */
function refusalFor(errors: readonly GraphQLFormattedError[], ceremonyId: string, version: number, headers: Record<string, string>): HttpRejection {
  const codes = errors.map((error) => error.extensions?.code);
  if (codes.includes(ErrorCode.NotFound)) return notFound(ceremonyId, String(version), headers);
  if (codes.includes(ErrorCode.Unauthenticated)) {
    return new HttpRejection(401, ErrorCode.Unauthenticated, 'Sign in to read this package.', headers);
  }
  if (codes.includes(ErrorCode.Forbidden)) {
    return new HttpRejection(403, ErrorCode.Forbidden, 'This package is not for the caller.', headers);
  }
  const retry = { ...headers, 'retry-after': '1' };
  if (codes.includes(ErrorCode.Timeout)) {
    return new HttpRejection(503, ErrorCode.Timeout, 'Reading the package took longer than its limit; try again.', retry);
  }
  if (codes.includes(ErrorCode.SubgraphUnavailable)) {
    return new HttpRejection(503, ErrorCode.SubgraphUnavailable, 'Part of the package cannot be read now (a service is unreachable); try again.', retry);
  }
  const first = errors[0]!;
  return new HttpRejection(502, String(first.extensions?.code ?? 'INTERNAL_SERVER_ERROR'), first.message, headers);
}
