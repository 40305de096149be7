import { describe, expect, it } from 'vitest';
import { SignJWT, type JWTPayload } from 'jose';
import { HttpRejection } from '@hub/server';
import { createAuthenticator, mintToken, type AuthConfig } from './auth.ts';
import { readHubConfig } from './config.ts';

const secret = 'a-test-secret-of-at-least-thirty-two-characters';
const DAY = 24 * 60 * 60;
const config: AuthConfig = { issuer: 'hub', audience: 'hub', key: { kind: 'secret', secret }, maxTokenAgeSeconds: DAY };
const now = () => Math.floor(Date.now() / 1000);

/** Signs exactly the claims given, so a test can leave out or misdate any of them. */
function signed(claims: JWTPayload): Promise<string> {
  return new SignJWT({ role: 'SHAANXI_OFFICE', sub: 'zhang.san', iss: 'hub', aud: 'hub', ...claims })
    .setProtectedHeader({ alg: 'HS256' })
    .sign(new TextEncoder().encode(secret));
}

async function refusal(authorization: string, settings: AuthConfig = config): Promise<{ status: number; reason: unknown }> {
  const authenticate = await createAuthenticator(settings);
  const error = await authenticate(authorization).then(
    () => null,
    (caught: unknown) => caught,
  );
  if (!(error instanceof HttpRejection)) throw new Error(`expected a refusal, got ${String(error)}`);
  return { status: error.status, reason: error.extensions.reason };
}

describe('the Authorization scheme', () => {
  it('accepts "bearer" in any letter case, as RFC 7235 makes scheme names case-insensitive', async () => {
    const authenticate = await createAuthenticator(config);
    const token = await mintToken({ secret, issuer: 'hub', audience: 'hub', role: 'SHAANXI_OFFICE', subject: 'zhang.san' });
    for (const scheme of ['Bearer', 'bearer', 'BEARER', 'bEaReR']) {
      expect((await authenticate(`${scheme} ${token}`)).role).toBe('SHAANXI_OFFICE');
    }
  });

  it('still refuses another scheme', async () => {
    expect(await refusal('Basic emhhbmc6c2Fu')).toEqual({ status: 401, reason: 'MALFORMED_AUTHORIZATION' });
  });
});

describe('the age of a token', () => {
  it('accepts a token issued now for a working day', async () => {
    const authenticate = await createAuthenticator(config);
    const identity = await authenticate(`Bearer ${await signed({ iat: now(), exp: now() + 8 * 3600 })}`);
    expect(identity).toEqual({ role: 'SHAANXI_OFFICE', subject: 'zhang.san', organizationId: null });
  });

  it('refuses a token without "iat", whose age cannot be known', async () => {
    expect(await refusal(`Bearer ${await signed({ exp: now() + 3600 })}`)).toEqual({ status: 401, reason: 'TOKEN_ISSUED_AT_INVALID' });
  });

  it('refuses a token issued in the year 9999', async () => {
    const year9999 = Date.UTC(9999, 0, 1) / 1000;
    expect(await refusal(`Bearer ${await signed({ iat: year9999, exp: year9999 + 3600 })}`)).toEqual({
      status: 401,
      reason: 'TOKEN_ISSUED_AT_INVALID',
    });
  });

  it('refuses a token issued now that claims to be valid until the year 9999', async () => {
    const token = await signed({ iat: now(), exp: Date.UTC(9999, 11, 31) / 1000 });
    expect(await refusal(`Bearer ${token}`)).toEqual({ status: 401, reason: 'TOKEN_LIFETIME_TOO_LONG' });
  });

  it('refuses an unexpired token issued more than a day ago', async () => {
    const token = await signed({ iat: now() - DAY - 120, exp: now() + 3600 });
    expect(await refusal(`Bearer ${token}`)).toEqual({ status: 401, reason: 'TOKEN_TOO_OLD' });
  });

  it('takes its maximum age from MAX_TOKEN_AGE', async () => {
    const configured = readHubConfig({ MAX_TOKEN_AGE: '60' }).auth;
    expect(configured.maxTokenAgeSeconds).toBe(60);
    const token = await signed({ iat: now() - 120, exp: now() + 30 });
    expect(await refusal(`Bearer ${token}`, { ...config, maxTokenAgeSeconds: 60 })).toEqual({ status: 401, reason: 'TOKEN_TOO_OLD' });
    expect(readHubConfig({}).auth.maxTokenAgeSeconds).toBe(DAY);
  });
});
