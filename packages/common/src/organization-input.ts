import type { OrganizationKind } from './domain.ts';
import { ErrorCode, userError } from './errors.ts';
import {
  checkUnifiedSocialCreditCode,
  checkWebsite,
  cleanOptionalText,
  cleanText,
  notNull,
} from './validation.ts';

/** The fields both provinces' organizations have, as a caller sends them. */
export interface OrganizationInput {
  nameZh?: string | null;
  nameEn?: string | null;
  kind?: OrganizationKind | null;
  unifiedSocialCreditCode?: string | null;
  description?: string | null;
  website?: string | null;
}

/** What an organization's own members may edit: its public profile. */
export interface OrganizationProfileInput {
  nameEn?: string | null;
  description?: string | null;
  website?: string | null;
}

export interface OrganizationChanges {
  nameZh?: string;
  nameEn?: string | null;
  kind?: OrganizationKind;
  unifiedSocialCreditCode?: string | null;
  description?: string | null;
  website?: string | null;
}

/**
 * Checks an organization's fields; left out means unchanged, null means cleared. A new
 * organization (`creating`) must have its Chinese name and kind.
 */
export function cleanOrganizationInput(input: OrganizationInput, creating: boolean): OrganizationChanges {
  const changes: OrganizationChanges = { ...cleanProfile(input) };
  const nameZh = notNull(input.nameZh, 'input.nameZh');
  if (nameZh !== undefined) changes.nameZh = cleanText(nameZh, { field: 'input.nameZh', max: 200 });
  const kind = notNull(input.kind, 'input.kind');
  if (kind !== undefined) changes.kind = kind;
  if (input.unifiedSocialCreditCode !== undefined) {
    changes.unifiedSocialCreditCode =
      input.unifiedSocialCreditCode === null
        ? null
        : checkUnifiedSocialCreditCode(input.unifiedSocialCreditCode, 'input.unifiedSocialCreditCode');
  }
  if (creating) {
    for (const field of ['nameZh', 'kind'] as const) {
      if (changes[field] === undefined) {
        throw userError(ErrorCode.BadUserInput, `input.${field} is required for a new organization.`, { field: `input.${field}` });
      }
    }
  }
  return changes;
}

export function cleanProfile(input: OrganizationProfileInput): OrganizationChanges {
  const changes: OrganizationChanges = {};
  if (input.nameEn !== undefined) changes.nameEn = cleanOptionalText(input.nameEn, { field: 'input.nameEn', max: 200 });
  if (input.description !== undefined) {
    changes.description = cleanOptionalText(input.description, { field: 'input.description', max: 5000, multiline: true });
  }
  if (input.website !== undefined) {
    changes.website = input.website === null ? null : checkWebsite(input.website, 'input.website');
  }
  return changes;
}
