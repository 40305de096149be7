import { HttpRejection, type HubLogger, type HubMetrics, type IncomingRequestInfo } from '@hub/server';
import { createAuthenticator } from './auth.ts';
import type { HubConfig } from './config.ts';
import { applyTrustedDocuments, loadManifest } from './documents.ts';
import type { GatewayContext } from './gateway-context.ts';
import { RateLimits, type RateLimitScope } from './rate-limit.ts';

/** Admits a request to the gateway, or refuses it with an HttpRejection; gives the caller's context. */
export type Admission = (info: IncomingRequestInfo) => Promise<GatewayContext>;

/** The gateway's admission, and what it holds open (the rate limits' Redis connection). */
export interface Gate {
  admit: Admission;
  close(): Promise<void>;
}

/**
 * What every request to the gateway passes first, GraphQL or not: it is rate-limited by the
 * client's address (behind proxies named in TRUSTED_PROXIES, the address they forwarded: see
 * `IncomingRequestInfo.clientAddress`), its
 * token is checked and rate-limited by identity. Each refusal is an HTTP answer with a stable
 * code. One admission serves all the gateway's routes, so they share the limits.
 */
export async function gatewayAdmission(config: HubConfig, { metrics, logger }: { metrics?: HubMetrics; logger: HubLogger }): Promise<Gate> {
  const authenticate = await createAuthenticator(config.auth);
  const limits = await RateLimits.create(config.rateLimits, logger);
  const enforce = async (scope: RateLimitScope, key: string) => {
    const decision = await limits.take(scope, key);
    if (decision.allowed) return;
    metrics?.refused(scope);
    throw rateLimited(decision.retryAfterSeconds, scope);
  };
  return {
    async admit({ headers, requestId, clientAddress }) {
      await enforce('address', clientAddress);
      const identity = await authenticate(headers.get('authorization'));
      if (identity.subject) await enforce('identity', identity.subject);
      return { requestId, identity };
    },
    close: () => limits.close(),
  };
}

/** The gateway's GraphQL context factory: the admission, then the document held to the trusted list. */
export function gatewayContextFactory(config: HubConfig, admit: Admission): (info: IncomingRequestInfo) => Promise<GatewayContext> {
  const manifest = loadManifest(config.trustedDocuments.path);
  return async (info) => {
    const context = await admit(info);
    const search = new URL(info.request.url ?? '/', 'http://localhost').searchParams;
    applyTrustedDocuments(info.body, search, manifest, config.trustedDocuments.required);
    return context;
  };
}

function rateLimited(retryAfterSeconds: number, scope: RateLimitScope): HttpRejection {
  return new HttpRejection(
    429,
    'RATE_LIMITED',
    `Too many requests from this ${scope}; try again in ${retryAfterSeconds} s.`,
    { 'retry-after': String(retryAfterSeconds) },
    { scope, retryAfterSeconds },
  );
}
