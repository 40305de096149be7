import { describe, expect, it } from 'vitest';
import { IDENTITY_HEADER, SIGNATURE_HEADER, signIdentity, verifyIdentity } from './trust.ts';

const member = { role: 'FOUNDATION_MEMBER' as const, subject: 'li.wei', organizationId: 'js-ruihua-charity-foundation' };
const headersOf = (record: Record<string, string>) => ({ get: (name: string) => record[name] });

describe('identity forwarded by the gateway', () => {
  it('verifies what the gateway signed', () => {
    expect(verifyIdentity(headersOf(signIdentity(member, 'secret')), 'secret')).toEqual(member);
  });

  it('refuses a signature made with another secret', () => {
    expect(verifyIdentity(headersOf(signIdentity(member, 'other')), 'secret')).toBeNull();
  });

  it('refuses an identity changed after signing', () => {
    const signed = signIdentity(member, 'secret');
    const forged = signIdentity({ ...member, role: 'SHAANXI_OFFICE' }, 'other')[IDENTITY_HEADER]!;
    expect(verifyIdentity(headersOf({ ...signed, [IDENTITY_HEADER]: forged }), 'secret')).toBeNull();
  });

  it('refuses a signed identity older than five minutes', () => {
    const signed = signIdentity(member, 'secret', Date.now() - 6 * 60 * 1000);
    expect(verifyIdentity(headersOf(signed), 'secret')).toBeNull();
  });

  it('refuses missing headers and a malformed signature', () => {
    expect(verifyIdentity(headersOf({}), 'secret')).toBeNull();
    const signed = signIdentity(member, 'secret');
    expect(verifyIdentity(headersOf({ ...signed, [SIGNATURE_HEADER]: 'zz' }), 'secret')).toBeNull();
  });
});
