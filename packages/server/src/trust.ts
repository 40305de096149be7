import { createHash, randomUUID } from 'node:crypto';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { isRole, type Identity } from '@hub/common';

/**
 * How a subgraph knows a request came through the gateway (or from a peer subgraph): the
 * sender puts a short-lived JWT in `x-hub-identity`, signed with the secret they share
 * (HS256). It names the one subgraph it is for (`aud`), the SHA-256 of the exact body bytes
 * (`bodyHash`), when it was made (`iat`, `exp` at most TOKEN_LIFETIME_SECONDS later) and a
 * unique `jti` that the receiver remembers until the token expires, so a captured request
 * runs at most once, on one subgraph, with its own body. See docs/decisions/ for the limits.
 */
export const IDENTITY_HEADER = 'x-hub-identity';
export const TOKEN_LIFETIME_SECONDS = 30;
/** Clocks of the gateway and the subgraphs may differ this much, and no more. */
export const CLOCK_SKEW_SECONDS = 5;
/** Tokens remembered at once per subgraph process; beyond it requests are refused, not replayable. */
export const DEFAULT_REPLAY_MEMORY = 200_000;

const ALGORITHM = 'HS256';

export interface SignOptions {
  secret: string;
  /** The subgraph the request is for, by name (`shaanxi`, `jiangsu`, `pairing`). */
  audience: string;
  /** The request body exactly as it will be sent. */
  body: string | Uint8Array;
  /** When the token is made; tests move it. */
  now?: Date;
}

/** The headers that carry `identity` to one subgraph for one request body. */
export async function signIdentity(identity: Identity, options: SignOptions): Promise<Record<string, string>> {
  const issuedAt = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const token = await new SignJWT({
    role: identity.role,
    org: identity.organizationId,
    bodyHash: bodyHash(options.body),
  })
    .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
    .setSubject(identity.subject ?? '')
    .setAudience(options.audience)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + TOKEN_LIFETIME_SECONDS)
    .setJti(randomUUID())
    .sign(secretKey(options.secret));
  return { [IDENTITY_HEADER]: token };
}

/** Why a request's identity was refused; stable, for logs and for the 401's `reason`. */
export type IdentityRefusal =
  | 'IDENTITY_MISSING'
  | 'IDENTITY_INVALID'
  | 'IDENTITY_WRONG_AUDIENCE'
  | 'IDENTITY_BODY_MISMATCH'
  | 'IDENTITY_EXPIRED'
  | 'IDENTITY_ISSUED_IN_FUTURE'
  | 'IDENTITY_REPLAYED'
  | 'IDENTITY_MEMORY_FULL';

export type IdentityCheck = { type: 'verified'; identity: Identity } | { type: 'refused'; reason: IdentityRefusal };

/**
 * Verifies the identity tokens one subgraph receives, and remembers each token's `jti` until
 * it expires. The memory is this process's: replicas of one subgraph do not share it.
 */
export class IdentityVerifier {
  private readonly key: Uint8Array;
  /** jti → expiry in seconds; Map keeps insertion order, which is close to expiry order. */
  private readonly seen = new Map<string, number>();

  constructor(
    secret: string,
    private readonly audience: string,
    private readonly capacity = DEFAULT_REPLAY_MEMORY,
  ) {
    this.key = secretKey(secret);
  }

  async verify(token: string | null | undefined, body: Uint8Array, now = new Date()): Promise<IdentityCheck> {
    if (!token) return refused('IDENTITY_MISSING');
    let payload;
    try {
      ({ payload } = await jwtVerify(token, this.key, {
        algorithms: [ALGORITHM],
        audience: this.audience,
        currentDate: now,
        clockTolerance: CLOCK_SKEW_SECONDS,
        maxTokenAge: TOKEN_LIFETIME_SECONDS,
        requiredClaims: ['exp', 'iat', 'jti', 'role', 'bodyHash'],
      }));
    } catch (error) {
      return refused(refusalFor(error));
    }
    const { iat, exp, jti } = payload as { iat: number; exp: number; jti: string };
    // A token may not outlive its lifetime by claiming a later `exp` than its sender would set.
    if (exp - iat > TOKEN_LIFETIME_SECONDS) return refused('IDENTITY_INVALID');
    if (payload.bodyHash !== bodyHash(body)) return refused('IDENTITY_BODY_MISMATCH');
    if (!isRole(payload.role)) return refused('IDENTITY_INVALID');

    const nowSeconds = Math.floor(now.getTime() / 1000);
    if (this.seen.has(jti)) return refused('IDENTITY_REPLAYED');
    if (this.seen.size >= this.capacity) this.forgetExpired(nowSeconds, true);
    // Forgetting a live jti would let its token run again; refusing is the safe side.
    if (this.seen.size >= this.capacity) return refused('IDENTITY_MEMORY_FULL');
    this.seen.set(jti, exp + CLOCK_SKEW_SECONDS);
    this.forgetExpired(nowSeconds, false);

    return {
      type: 'verified',
      identity: {
        role: payload.role,
        subject: typeof payload.sub === 'string' && payload.sub !== '' ? payload.sub : null,
        organizationId: typeof payload.org === 'string' && payload.org !== '' ? payload.org : null,
      },
    };
  }

  /** How many tokens are remembered now. */
  get remembered(): number {
    return this.seen.size;
  }

  /** Drops expired ids: from the oldest until a live one, or (`everything`) all of them. */
  private forgetExpired(nowSeconds: number, everything: boolean): void {
    for (const [jti, expiresAt] of this.seen) {
      if (expiresAt < nowSeconds) this.seen.delete(jti);
      else if (!everything) return;
    }
  }
}

/** SHA-256 of the body bytes, base64url, as carried in `bodyHash`. */
export function bodyHash(body: string | Uint8Array): string {
  return createHash('sha256').update(body).digest('base64url');
}

function refusalFor(error: unknown): IdentityRefusal {
  if (error instanceof joseErrors.JWTExpired) return 'IDENTITY_EXPIRED';
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    if (error.claim === 'aud') return 'IDENTITY_WRONG_AUDIENCE';
    if (error.claim === 'iat' && error.reason === 'check_failed') return 'IDENTITY_ISSUED_IN_FUTURE';
    if (error.claim === 'nbf') return 'IDENTITY_ISSUED_IN_FUTURE';
  }
  return 'IDENTITY_INVALID';
}

function refused(reason: IdentityRefusal): IdentityCheck {
  return { type: 'refused', reason };
}

function secretKey(secret: string): Uint8Array {
  return new TextEncoder().encode(secret);
}
