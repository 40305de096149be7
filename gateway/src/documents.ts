import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { HttpRejection } from '@hub/server';

/** Apollo's persisted query manifest format, as GraphOS and the Apollo tooling write it. */
export interface DocumentManifest {
  format: 'apollo-persisted-query-manifest';
  version: 1;
  operations: { id: string; name: string; type: 'query' | 'mutation' | 'subscription'; body: string }[];
}

export function documentId(body: string): string {
  return createHash('sha256').update(body).digest('hex');
}

export function loadManifest(path: string): Map<string, string> {
  const manifest = JSON.parse(readFileSync(path, 'utf8')) as DocumentManifest;
  if (manifest.format !== 'apollo-persisted-query-manifest' || manifest.version !== 1) {
    throw new Error(`${path} is not an apollo-persisted-query-manifest, version 1`);
  }
  const documents = new Map<string, string>();
  for (const operation of manifest.operations) {
    if (documentId(operation.body) !== operation.id) {
      throw new Error(`${path}: operation ${operation.name} has id ${operation.id}, not the sha256 of its body`);
    }
    documents.set(operation.id, operation.body);
  }
  return documents;
}

interface GraphQLRequestBody {
  query?: unknown;
  documentId?: unknown;
  extensions?: { persistedQuery?: { sha256Hash?: unknown } };
}

/**
 * Trusted documents: a client may send `documentId` (or an automatic persisted query hash)
 * naming an operation of the manifest instead of its text. When trusted documents are
 * required, only manifest operations run, whether named by id, by hash or sent in full;
 * otherwise any document runs, and unknown hashes go through automatic persisted queries.
 */
export function applyTrustedDocuments(
  body: unknown,
  search: URLSearchParams,
  manifest: Map<string, string>,
  required: boolean,
): void {
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    const request = body as GraphQLRequestBody;
    if (typeof request.documentId === 'string') {
      const id = request.documentId.replace(/^sha256:/, '');
      const document = manifest.get(id);
      if (!document) throw unknownDocument(request.documentId);
      request.query = document;
      delete request.documentId;
    }
    const hash = request.extensions?.persistedQuery?.sha256Hash;
    if (typeof request.query !== 'string' && typeof hash === 'string' && manifest.has(hash)) {
      request.query = manifest.get(hash);
    }
    if (required) requireTrusted(typeof request.query === 'string' ? request.query : null, hash, manifest);
    return;
  }
  if (Array.isArray(body)) {
    throw new HttpRejection(400, 'BAD_REQUEST', 'Batched requests are not supported; send one operation per request.');
  }
  if (required) {
    const extensions = search.get('extensions');
    let hash: unknown;
    try {
      hash = extensions ? (JSON.parse(extensions) as GraphQLRequestBody['extensions'])?.persistedQuery?.sha256Hash : undefined;
    } catch {
      hash = undefined;
    }
    requireTrusted(search.get('query'), hash, manifest);
  }
}

function requireTrusted(query: string | null, hash: unknown, manifest: Map<string, string>): void {
  if (query !== null ? manifest.has(documentId(query)) : typeof hash === 'string' && manifest.has(hash)) return;
  throw new HttpRejection(
    400,
    'TRUSTED_DOCUMENT_REQUIRED',
    'This hub runs only registered operations; send the documentId of one from its manifest.',
  );
}

function unknownDocument(id: string): HttpRejection {
  return new HttpRejection(400, 'UNKNOWN_DOCUMENT', `No registered operation has id ${JSON.stringify(id.slice(0, 80))}.`);
}
