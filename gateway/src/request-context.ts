import { randomUUID } from 'node:crypto';
import { HttpRejection, type IncomingRequestInfo } from '@hub/server';
import { createAuthenticator } from './auth.ts';
import type { HubConfig } from './config.ts';
import { applyTrustedDocuments, loadManifest } from './documents.ts';
import type { GatewayContext } from './gateway-context.ts';
import { RateLimiter } from './rate-limit.ts';

/**
 * The gateway's context factory: before a request runs it is rate-limited by address, its
 * token is checked and rate-limited by identity, and its document is held to the trusted
 * list. Each refusal is an HTTP answer with a stable code.
 */
export async function gatewayContextFactory(config: HubConfig): Promise<(info: IncomingRequestInfo) => Promise<GatewayContext>> {
  const authenticate = await createAuthenticator(config.auth);
  const manifest = loadManifest(config.trustedDocuments.path);
  const perAddress = new RateLimiter(config.limits.perAddressPerMinute);
  const perIdentity = new RateLimiter(config.limits.perIdentityPerMinute);
  return async ({ request, headers, body, address }) => {
    enforce(perAddress.take(`address:${address}`), 'address');
    const identity = await authenticate(headers.get('authorization'));
    if (identity.subject) enforce(perIdentity.take(`identity:${identity.subject}`), 'identity');
    const search = new URL(request.url ?? '/', 'http://localhost').searchParams;
    applyTrustedDocuments(body, search, manifest, config.trustedDocuments.required);
    return { requestId: randomUUID(), identity };
  };
}

function enforce(decision: ReturnType<RateLimiter['take']>, scope: 'address' | 'identity'): void {
  if (decision.allowed) return;
  throw new HttpRejection(
    429,
    'RATE_LIMITED',
    `Too many requests from this ${scope}; try again in ${decision.retryAfterSeconds} s.`,
    { 'retry-after': String(decision.retryAfterSeconds) },
    { scope, retryAfterSeconds: decision.retryAfterSeconds },
  );
}
