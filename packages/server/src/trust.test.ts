import { describe, expect, it } from 'vitest';
import { SignJWT } from 'jose';
import { IDENTITY_HEADER, IdentityVerifier, bodyHash, signIdentity } from './trust.ts';

const member = { role: 'FOUNDATION_MEMBER' as const, subject: 'li.wei', organizationId: 'js-ruihua-charity-foundation' };
const body = JSON.stringify({ query: '{ counties { totalCount } }' });
const bytes = (text: string) => new TextEncoder().encode(text);

async function tokenFor(options: { secret?: string; audience?: string; body?: string; now?: Date } = {}): Promise<string> {
  const headers = await signIdentity(member, {
    secret: options.secret ?? 'secret',
    audience: options.audience ?? 'jiangsu',
    body: options.body ?? body,
    now: options.now,
  });
  return headers[IDENTITY_HEADER] as string;
}

describe('identity token between the gateway and a subgraph', () => {
  it('verifies what was signed for this subgraph and this body', async () => {
    const verifier = new IdentityVerifier('secret', 'jiangsu');
    expect(await verifier.verify(await tokenFor(), bytes(body))).toEqual({ type: 'verified', identity: member });
  });

  it('refuses a token signed with another secret', async () => {
    const verifier = new IdentityVerifier('secret', 'jiangsu');
    expect(await verifier.verify(await tokenFor({ secret: 'other' }), bytes(body))).toEqual({ type: 'refused', reason: 'IDENTITY_INVALID' });
  });

  it('refuses a missing token', async () => {
    expect(await new IdentityVerifier('secret', 'jiangsu').verify(undefined, bytes(body))).toEqual({
      type: 'refused',
      reason: 'IDENTITY_MISSING',
    });
  });

  it('refuses a token whose lifetime is longer than the sender may give', async () => {
    const issuedAt = Math.floor(Date.now() / 1000);
    const longLived = await new SignJWT({ role: 'SHAANXI_OFFICE', org: null, bodyHash: bodyHash(body) })
      .setProtectedHeader({ alg: 'HS256' })
      .setAudience('jiangsu')
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + 3600)
      .setJti('long-lived')
      .sign(bytes('secret'));
    expect(await new IdentityVerifier('secret', 'jiangsu').verify(longLived, bytes(body))).toEqual({
      type: 'refused',
      reason: 'IDENTITY_INVALID',
    });
  });

  it('forgets a token once it has expired, and refuses rather than forget a live one when its memory is full', async () => {
    const verifier = new IdentityVerifier('secret', 'jiangsu', 2);
    const start = new Date();
    for (let i = 0; i < 2; i++) expect((await verifier.verify(await tokenFor({ now: start }), bytes(body), start)).type).toBe('verified');
    expect(await verifier.verify(await tokenFor({ now: start }), bytes(body), start)).toEqual({
      type: 'refused',
      reason: 'IDENTITY_MEMORY_FULL',
    });
    const later = new Date(start.getTime() + 60_000);
    expect((await verifier.verify(await tokenFor({ now: later }), bytes(body), later)).type).toBe('verified');
    expect(verifier.remembered).toBe(1);
  });
});
