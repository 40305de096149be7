import { createHmac, timingSafeEqual } from 'node:crypto';
import { isRole, type Identity } from '@hub/common';

/**
 * How a subgraph knows a request came through the gateway: the gateway sends the caller's
 * identity in `x-hub-identity` and an HMAC-SHA256 of it, keyed by the secret the two share,
 * in `x-hub-signature`. The identity carries the time it was signed, so a captured pair
 * stops working after MAX_AGE_MS.
 */
export const IDENTITY_HEADER = 'x-hub-identity';
export const SIGNATURE_HEADER = 'x-hub-signature';
const MAX_AGE_MS = 5 * 60 * 1000;

interface SignedIdentity {
  role: Identity['role'];
  sub: string | null;
  org: string | null;
  at: number;
}

export function signIdentity(identity: Identity, secret: string, now = Date.now()): Record<string, string> {
  const payload: SignedIdentity = { role: identity.role, sub: identity.subject, org: identity.organizationId, at: now };
  const encoded = Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
  return { [IDENTITY_HEADER]: encoded, [SIGNATURE_HEADER]: hmac(encoded, secret) };
}

/** The identity the gateway vouched for, or null when the headers are missing, forged or stale. */
export function verifyIdentity(
  headers: { get(name: string): string | undefined | null },
  secret: string,
  now = Date.now(),
): Identity | null {
  const encoded = headers.get(IDENTITY_HEADER);
  const signature = headers.get(SIGNATURE_HEADER);
  if (!encoded || !signature) return null;
  const expected = Buffer.from(hmac(encoded, secret), 'hex');
  const given = Buffer.from(signature, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  let payload: SignedIdentity;
  try {
    payload = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8')) as SignedIdentity;
  } catch {
    return null;
  }
  if (!isRole(payload.role) || typeof payload.at !== 'number' || Math.abs(now - payload.at) > MAX_AGE_MS) return null;
  return { role: payload.role, subject: payload.sub ?? null, organizationId: payload.org ?? null };
}

function hmac(value: string, secret: string): string {
  return createHmac('sha256', secret).update(value).digest('hex');
}
