import {
  ErrorCode,
  formatYuan,
  kindOfNewRecord,
  MAX_ENTRY_FEN,
  requireMemberOf,
  userError,
  versionConflict,
  type Identity,
  type MoneyInput,
  type ProjectField,
  type Role,
} from '@hub/common';
import type { ReportingLanguage } from './db/schema.ts';
import type { JiangsuContext } from './loaders.ts';
import type { GivingProfileContent, GivingProfileRow, GivingProfileVersionRow } from './store/giving-profile-store.ts';

/** A giving profile to set, as GraphQL hands it over with its defaults filled in. */
export interface GivingProfileInput {
  organizationId: string;
  expectedVersion: number;
  fields: ProjectField[];
  preferredPrefectureCodes: string[];
  preferredCountyCodes: string[];
  countPairedCity: boolean;
  prioritizeDeepPoverty: boolean;
  prioritizeRevolutionaryOldArea: boolean;
  yearlyBudget?: MoneyInput | null;
  smallestGrant?: MoneyInput | null;
  largestGrant?: MoneyInput | null;
  reportingLanguages: ReportingLanguage[];
  public: boolean;
}

/** The most preferred prefectures a profile names: Shaanxi has ten prefecture-level cities. */
export const MAX_PREFERRED_PREFECTURES = 10;
/** The most preferred counties a profile names: enough to name every county of two prefectures. */
export const MAX_PREFERRED_COUNTIES = 50;

/** A Shaanxi prefecture-level code: 61, a city number that is not 00, then 00 ("610900"). */
const SHAANXI_PREFECTURE = /^61(?!00)[0-9]{2}00$/;
/** A Shaanxi county-level code: 61, a city number that is not 00, a county number that is not 00 ("610927"). */
const SHAANXI_COUNTY = /^61(?!00)[0-9]{2}(?!00)[0-9]{2}$/;

/** Roles that read every profile, private ones too, and every version of it. */
const READS_PRIVATE_PROFILES: readonly Role[] = ['SHAANXI_OFFICE', 'JIANGSU_OFFICE', 'SERVICE'];

/**
 * Whether the caller reads an organization's private profile and the versions of its profile:
 * its own members, the two province offices and the subgraphs' service identities.
 */
export function readsPrivateProfileOf(identity: Identity, organizationId: string): boolean {
  if (READS_PRIVATE_PROFILES.includes(identity.role)) return true;
  return identity.role === 'FOUNDATION_MEMBER' && identity.organizationId === organizationId;
}

type ProfileContext = Pick<JiangsuContext, 'identity' | 'loaders' | 'profiles' | 'peers'>;

const SHAANXI_DIVISIONS = /* GraphQL */ `
  query ShaanxiDivisions($representations: [_Any!]!) {
    _entities(representations: $representations) {
      ... on Prefecture { code }
      ... on County { code }
    }
  }
`;

/**
 * The rules of an organization's giving profile (docs/decisions/0026-matching.md): who sets it,
 * what it may state, at which version, and who reads it. The rule of who reads is decided here,
 * in Jiangsu, for every way the profile is reached: the organization's field, the entity, and
 * the pairing's `@requires` for matches, which the gateway fetches with the caller's identity.
 */
export class GivingProfileService {
  constructor(private readonly context: ProfileContext) {}

  /**
   * The organization's profile as this caller may read it: a public one to anyone, a private
   * one to its members, the province offices and services, and null to everyone else, just as
   * when there is none, so that the answer does not tell a private profile from none.
   */
  async readableProfile(organizationId: string): Promise<GivingProfileRow | null> {
    const profile = await this.context.loaders.givingProfile.load(organizationId);
    if (!profile) return null;
    return profile.public || readsPrivateProfileOf(this.context.identity, organizationId) ? profile : null;
  }

  /** Every version of the profile, oldest first, to those who read private profiles; none to anyone else. */
  async versions(profile: GivingProfileRow): Promise<GivingProfileVersionRow[]> {
    if (!readsPrivateProfileOf(this.context.identity, profile.organizationId)) return [];
    return this.context.loaders.givingProfileVersions.load(profile.organizationId);
  }

  /**
   * Replaces the profile and keeps the new version. Members of the organization only; every
   * check runs before anything is written, the Shaanxi codes asked of Shaanxi last, and the
   * version is decided by the write itself (VERSION_CONFLICT when another setting came first).
   */
  async setProfile(input: GivingProfileInput): Promise<GivingProfileRow> {
    const { identity, loaders } = this.context;
    requireMemberOf(identity, input.organizationId, "set this organization's giving profile");
    if (!Number.isSafeInteger(input.expectedVersion) || input.expectedVersion < 0) {
      throw userError(ErrorCode.BadUserInput, `input.expectedVersion must be 0 (the first time) or more; got ${input.expectedVersion}.`, {
        field: 'input.expectedVersion',
      });
    }
    const organization = await loaders.organization.load(input.organizationId);
    if (!organization) {
      throw userError(ErrorCode.NotFound, `input.organizationId: no Jiangsu organization has id ${JSON.stringify(input.organizationId)}.`, {
        field: 'input.organizationId',
        entity: 'Jiangsu organization',
        lookup: { id: input.organizationId },
      });
    }
    const content = checkedContent(input);
    const places = await this.shaanxiPlaces(content.preferredPrefectureCodes, content.preferredCountyCodes);

    const result = await this.context.profiles.setProfile({
      organizationId: organization.id,
      expectedVersion: input.expectedVersion,
      content: { ...content, ...places },
      setByRole: identity.role,
      setBySubject: identity.subject,
      provenanceKind: kindOfNewRecord(organization.provenanceKind),
    });
    if (result.type === 'version-conflict') {
      throw versionConflict('giving profile', input.expectedVersion, result.currentVersion);
    }
    loaders.givingProfile.clear(organization.id);
    loaders.givingProfileVersions.clear(organization.id);
    return result.profile;
  }

  /**
   * The preferred places as Shaanxi knows them, asked in one query: NOT_FOUND naming the first
   * code it does not know. A county renamed since the public record answers with the code the
   * records keep ("610981" for 旬阳 is stored as "610928"), the code its projects are under.
   */
  private async shaanxiPlaces(prefectureCodes: string[], countyCodes: string[]) {
    if (prefectureCodes.length + countyCodes.length === 0) return { preferredPrefectureCodes: [], preferredCountyCodes: [] };
    const data = await this.context.peers.query<{ _entities: ({ code: string } | null)[] }>('shaanxi', SHAANXI_DIVISIONS, {
      representations: [
        ...prefectureCodes.map((code) => ({ __typename: 'Prefecture', code })),
        ...countyCodes.map((code) => ({ __typename: 'County', code })),
      ],
    });
    const known = (codes: string[], offset: number, field: string, what: string) =>
      codes.map((code, index) => {
        const found = data._entities[offset + index];
        if (!found) {
          throw userError(ErrorCode.NotFound, `${field}[${index}]: Shaanxi has no ${what} with code ${JSON.stringify(code)}.`, {
            field: `${field}[${index}]`,
            entity: what,
            lookup: { code },
          });
        }
        return found.code;
      });
    const preferredPrefectureCodes = known(prefectureCodes, 0, 'input.preferredPrefectureCodes', 'prefecture-level city');
    const preferredCountyCodes = known(countyCodes, prefectureCodes.length, 'input.preferredCountyCodes', 'county');
    refuseRepeats(preferredCountyCodes, 'input.preferredCountyCodes', 'county');
    return { preferredPrefectureCodes, preferredCountyCodes };
  }
}

/**
 * What the input states, checked before anything is asked or written; each refusal is a
 * BAD_USER_INPUT naming its field. A repeated entry is refused rather than dropped, so that
 * what is stored is exactly what the caller sent.
 */
function checkedContent(input: GivingProfileInput): GivingProfileContent {
  refuseRepeats(input.fields, 'input.fields', 'field');
  const preferredPrefectureCodes = checkedCodes(input.preferredPrefectureCodes, {
    field: 'input.preferredPrefectureCodes',
    max: MAX_PREFERRED_PREFECTURES,
    pattern: SHAANXI_PREFECTURE,
    what: 'a Shaanxi prefecture-level code (61xx00, e.g. "610900")',
    entity: 'prefecture-level city',
  });
  const preferredCountyCodes = checkedCodes(input.preferredCountyCodes, {
    field: 'input.preferredCountyCodes',
    max: MAX_PREFERRED_COUNTIES,
    pattern: SHAANXI_COUNTY,
    what: 'a Shaanxi county-level code (61xxxx not ending in 00, e.g. "610927")',
    entity: 'county',
  });
  const yearlyBudgetFen = profileFen(input.yearlyBudget, 'input.yearlyBudget');
  const smallestGrantFen = profileFen(input.smallestGrant, 'input.smallestGrant');
  const largestGrantFen = profileFen(input.largestGrant, 'input.largestGrant');
  if (smallestGrantFen !== null && largestGrantFen !== null && smallestGrantFen > largestGrantFen) {
    throw userError(
      ErrorCode.BadUserInput,
      `input.smallestGrant (${formatYuan(smallestGrantFen)} yuan) must not be above input.largestGrant (${formatYuan(largestGrantFen)} yuan).`,
      { field: 'input.smallestGrant' },
    );
  }
  if (input.reportingLanguages.length === 0) {
    throw userError(ErrorCode.BadUserInput, 'input.reportingLanguages must name at least one language reports may be written in.', {
      field: 'input.reportingLanguages',
    });
  }
  refuseRepeats(input.reportingLanguages, 'input.reportingLanguages', 'language');
  return {
    fields: input.fields,
    preferredPrefectureCodes,
    preferredCountyCodes,
    countPairedCity: input.countPairedCity,
    prioritizeDeepPoverty: input.prioritizeDeepPoverty,
    prioritizeRevolutionaryOldArea: input.prioritizeRevolutionaryOldArea,
    yearlyBudgetFen,
    smallestGrantFen,
    largestGrantFen,
    reportingLanguages: input.reportingLanguages,
    public: input.public,
  };
}

function checkedCodes(codes: string[], rule: { field: string; max: number; pattern: RegExp; what: string; entity: string }): string[] {
  if (codes.length > rule.max) {
    throw userError(ErrorCode.BadUserInput, `${rule.field} names ${codes.length} places; at most ${rule.max} are allowed.`, {
      field: rule.field,
    });
  }
  codes.forEach((code, index) => {
    if (!rule.pattern.test(code)) {
      throw userError(ErrorCode.BadUserInput, `${rule.field}[${index}] must be ${rule.what}; got ${JSON.stringify(code)}.`, {
        field: `${rule.field}[${index}]`,
      });
    }
  });
  refuseRepeats(codes, rule.field, rule.entity);
  return codes;
}

/** BAD_USER_INPUT naming the first entry that repeats an earlier one. */
function refuseRepeats(values: readonly string[], field: string, what: string): void {
  const first = new Map<string, number>();
  values.forEach((value, index) => {
    const earlier = first.get(value);
    if (earlier !== undefined) {
      throw userError(
        ErrorCode.BadUserInput,
        `${field}[${index}] names the same ${what} as ${field}[${earlier}] (${JSON.stringify(value)}); name each once.`,
        { field: `${field}[${index}]` },
      );
    }
    first.set(value, index);
  });
}

/** An amount a profile states: whole fen, more than zero and within one entry's limit; null when left out. */
function profileFen(amount: MoneyInput | null | undefined, field: string): bigint | null {
  if (amount === null || amount === undefined) return null;
  if (!Number.isSafeInteger(amount.fen) || amount.fen < 1 || BigInt(amount.fen) > MAX_ENTRY_FEN) {
    throw userError(
      ErrorCode.BadUserInput,
      `${field}.fen must be a whole number of fen from 1 to ${MAX_ENTRY_FEN} (${formatYuan(MAX_ENTRY_FEN)} yuan); got ${amount.fen}.`,
      { field: `${field}.fen` },
    );
  }
  return BigInt(amount.fen);
}
