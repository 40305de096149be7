import { HttpRejection, type HubMetrics, type IncomingRequestInfo } from '@hub/server';
import { createAuthenticator } from './auth.ts';
import type { HubConfig } from './config.ts';
import { applyTrustedDocuments, loadManifest } from './documents.ts';
import type { GatewayContext } from './gateway-context.ts';
import { RateLimiter } from './rate-limit.ts';

/** Admits a request to the gateway, or refuses it with an HttpRejection; gives the caller's context. */
export type Admission = (info: IncomingRequestInfo) => Promise<GatewayContext>;

/**
 * What every request to the gateway passes first, GraphQL or not: it is rate-limited by
 * address, its token is checked and rate-limited by identity. Each refusal is an HTTP answer
 * with a stable code. One admission serves all the gateway's routes, so they share the limits.
 */
export async function gatewayAdmission(config: HubConfig, metrics?: HubMetrics): Promise<Admission> {
  const authenticate = await createAuthenticator(config.auth);
  const perAddress = new RateLimiter(config.limits.perAddressPerMinute);
  const perIdentity = new RateLimiter(config.limits.perIdentityPerMinute);
  const enforce = (decision: ReturnType<RateLimiter['take']>, scope: 'address' | 'identity') => {
    if (decision.allowed) return;
    metrics?.refused(scope);
    throw rateLimited(decision.retryAfterSeconds, scope);
  };
  return async ({ headers, address, requestId }) => {
    enforce(perAddress.take(`address:${address}`), 'address');
    const identity = await authenticate(headers.get('authorization'));
    if (identity.subject) enforce(perIdentity.take(`identity:${identity.subject}`), 'identity');
    return { requestId, identity };
  };
}

/** The gateway's GraphQL context factory: the admission, then the document held to the trusted list. */
export async function gatewayContextFactory(
  config: HubConfig,
  admit?: Admission,
): Promise<(info: IncomingRequestInfo) => Promise<GatewayContext>> {
  const admitted = admit ?? (await gatewayAdmission(config));
  const manifest = loadManifest(config.trustedDocuments.path);
  return async (info) => {
    const context = await admitted(info);
    const search = new URL(info.request.url ?? '/', 'http://localhost').searchParams;
    applyTrustedDocuments(info.body, search, manifest, config.trustedDocuments.required);
    return context;
  };
}

function rateLimited(retryAfterSeconds: number, scope: 'address' | 'identity'): HttpRejection {
  return new HttpRejection(
    429,
    'RATE_LIMITED',
    `Too many requests from this ${scope}; try again in ${retryAfterSeconds} s.`,
    { 'retry-after': String(retryAfterSeconds) },
    { scope, retryAfterSeconds },
  );
}
