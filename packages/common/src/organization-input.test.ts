import { describe, expect, it } from 'vitest';
import { cleanOrganizationInput } from './organization-input.ts';

describe('organization input', () => {
  it('requires a Chinese name and a kind for a new organization, but not for an edit', () => {
    expect(() => cleanOrganizationInput({ kind: 'FOUNDATION' }, true)).toThrow('input.nameZh is required for a new organization.');
    expect(() => cleanOrganizationInput({ nameZh: '基金会' }, true)).toThrow('input.kind is required for a new organization.');
    expect(cleanOrganizationInput({ nameEn: 'Foundation' }, false)).toEqual({ nameEn: 'Foundation' });
  });

  it('refuses clearing what an organization must have, and trims what it keeps', () => {
    expect(() => cleanOrganizationInput({ nameZh: null }, false)).toThrow('input.nameZh cannot be null.');
    expect(cleanOrganizationInput({ nameZh: ' 基金会 ', kind: 'FOUNDATION', website: null }, true)).toEqual({
      nameZh: '基金会',
      kind: 'FOUNDATION',
      website: null,
    });
  });
});
