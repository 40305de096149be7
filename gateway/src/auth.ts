import { readFileSync } from 'node:fs';
import { PUBLIC_IDENTITY, type Identity, type Role } from '@hub/common';
import { HttpRejection } from '@hub/server';
import {
  createLocalJWKSet,
  errors as joseErrors,
  importSPKI,
  jwtVerify,
  SignJWT,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';

/** Where the gateway gets the keys that sign tokens. */
export type TokenKeyConfig =
  | { kind: 'secret'; secret: string }
  | { kind: 'public-key'; pemFile: string; algorithm: string }
  | { kind: 'jwks'; jwksFile: string };

export interface AuthConfig {
  issuer: string;
  audience: string;
  key: TokenKeyConfig;
  /**
   * Oldest a token may be, in seconds from its `iat`; a token must also expire within this
   * long of being issued, so a leaked token is useful for a bounded time whatever it claims.
   */
  maxTokenAgeSeconds: number;
}

/** A day: long enough for a working day's session, short enough that a leaked token dies. */
export const DEFAULT_MAX_TOKEN_AGE_SECONDS = 24 * 60 * 60;

/** Roles a token may carry; the public needs no token. */
const TOKEN_ROLES: readonly Role[] = ['FOUNDATION_MEMBER', 'SHAANXI_OFFICE', 'JIANGSU_OFFICE'];
const CLOCK_TOLERANCE_SECONDS = 30;

export type Authenticator = (authorization: string | undefined | null) => Promise<Identity>;

/**
 * Turns the Authorization header into an identity: none is the public; a bearer token must
 * be signed by the configured key, issued by `issuer` for `audience`, unexpired, and carry a
 * known role (and, for a foundation member, the organization it acts for). Anything else is
 * refused with 401 and a reason.
 */
export async function createAuthenticator(config: AuthConfig): Promise<Authenticator> {
  const verify = await verifierFor(config.key);
  return async (authorization) => {
    if (!authorization) return PUBLIC_IDENTITY;
    // The scheme name is case-insensitive (RFC 7235 section 2.1); the token itself is not.
    const match = /^Bearer +([A-Za-z0-9_\-.]+)$/i.exec(authorization.trim());
    if (!match) throw unauthenticated('MALFORMED_AUTHORIZATION', 'The Authorization header must be "Bearer <token>".');
    let payload: JWTPayload;
    try {
      ({ payload } = await verify(match[1] as string, config));
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired && error.claim === 'iat') {
        throw unauthenticated('TOKEN_TOO_OLD', `The token was issued more than ${config.maxTokenAgeSeconds} s ago.`);
      }
      if (error instanceof joseErrors.JWTExpired) throw unauthenticated('TOKEN_EXPIRED', 'The token has expired.');
      if (error instanceof joseErrors.JWTClaimValidationFailed && error.claim === 'iat') {
        throw unauthenticated(
          'TOKEN_ISSUED_AT_INVALID',
          error.reason === 'missing' ? 'The token has no "iat" (issued at) claim.' : 'The token\'s "iat" (issued at) lies in the future.',
        );
      }
      if (error instanceof joseErrors.JWTClaimValidationFailed) {
        throw unauthenticated('TOKEN_CLAIM_INVALID', `The token's "${error.claim}" claim is not accepted.`);
      }
      throw unauthenticated('TOKEN_INVALID', 'The token is not valid: its signature or form is wrong.');
    }
    // jose bounds the age from `iat`, not the lifetime: a token "valid until 9999" is refused too.
    if ((payload.exp as number) - (payload.iat as number) > config.maxTokenAgeSeconds + CLOCK_TOLERANCE_SECONDS) {
      throw unauthenticated('TOKEN_LIFETIME_TOO_LONG', `A token may be valid for at most ${config.maxTokenAgeSeconds} s from its "iat".`);
    }
    return identityFrom(payload);
  };
}

function identityFrom(payload: JWTPayload): Identity {
  const role = payload.role;
  if (typeof role !== 'string' || !(TOKEN_ROLES as readonly string[]).includes(role)) {
    throw unauthenticated('TOKEN_CLAIM_INVALID', `The token's "role" claim must be one of ${TOKEN_ROLES.join(', ')}.`);
  }
  if (typeof payload.sub !== 'string' || payload.sub === '') {
    throw unauthenticated('TOKEN_CLAIM_INVALID', 'The token has no subject.');
  }
  const organizationId = typeof payload.org === 'string' && payload.org !== '' ? payload.org : null;
  if (role === 'FOUNDATION_MEMBER' && !organizationId) {
    throw unauthenticated('TOKEN_CLAIM_INVALID', 'A foundation member token must name its organization ("org").');
  }
  return {
    role: role as Role,
    subject: payload.sub,
    organizationId: role === 'FOUNDATION_MEMBER' ? organizationId : null,
  };
}

type Verify = (token: string, config: AuthConfig) => ReturnType<typeof jwtVerify>;

async function verifierFor(key: TokenKeyConfig): Promise<Verify> {
  const options = (config: AuthConfig) => ({
    issuer: config.issuer,
    audience: config.audience,
    clockTolerance: CLOCK_TOLERANCE_SECONDS,
    maxTokenAge: config.maxTokenAgeSeconds,
    requiredClaims: ['exp', 'iat', 'sub'],
  });
  switch (key.kind) {
    case 'secret': {
      const secret = new TextEncoder().encode(key.secret);
      return (token, config) => jwtVerify(token, secret, { ...options(config), algorithms: ['HS256'] });
    }
    case 'public-key': {
      const publicKey = await importSPKI(readFileSync(key.pemFile, 'utf8'), key.algorithm);
      return (token, config) => jwtVerify(token, publicKey, { ...options(config), algorithms: [key.algorithm] });
    }
    case 'jwks': {
      const jwks: JWTVerifyGetKey = createLocalJWKSet(JSON.parse(readFileSync(key.jwksFile, 'utf8')));
      return (token, config) => jwtVerify(token, jwks, options(config));
    }
  }
}

function unauthenticated(reason: string, message: string): HttpRejection {
  return new HttpRejection(401, 'UNAUTHENTICATED', message, { 'www-authenticate': 'Bearer' }, { reason });
}

/** Mints an HS256 token for local use (`npm run token`) and tests. */
export async function mintToken(options: {
  secret: string;
  issuer: string;
  audience: string;
  role: Role;
  subject: string;
  organizationId?: string | null;
  expiresIn?: string | number;
}): Promise<string> {
  const claims: JWTPayload = { role: options.role };
  if (options.organizationId) claims.org = options.organizationId;
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(options.subject)
    .setIssuer(options.issuer)
    .setAudience(options.audience)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '8h')
    .sign(new TextEncoder().encode(options.secret));
}
