import {
  checkStatedCriteria,
  ErrorCode,
  kindOfNewRecord,
  refuseRepeats,
  requireMemberOf,
  userError,
  versionConflict,
  type GivingProfileContent,
  type MoneyInput,
  type ProjectField,
} from '@hub/common';
import type { ReportingLanguage } from './db/schema.ts';
import type { JiangsuContext } from './loaders.ts';
import { readsPrivateRecordsOf } from './private-records.ts';
import type { CityRow } from './store/jiangsu-store.ts';
import type { GivingProfileRow, GivingProfileVersionRow } from './store/giving-profile-store.ts';

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
    return profile.public || readsPrivateRecordsOf(this.context.identity, organizationId) ? profile : null;
  }

  /** Every version of the profile, oldest first, to those who read private profiles; none to anyone else. */
  async versions(profile: GivingProfileRow): Promise<GivingProfileVersionRow[]> {
    if (!readsPrivateRecordsOf(this.context.identity, profile.organizationId)) return [];
    return this.context.loaders.givingProfileVersions.load(profile.organizationId);
  }

  /**
   * The Jiangsu city whose pairing the profile's matches count: with `countPairedCity`, the
   * organization's own city (docs/decisions/0026-matching.md); null when it is turned off or
   * the organization has no city. Both lookups go through the request's loaders, so a page of
   * profiles costs one statement each.
   */
  async pairedCity(profile: GivingProfileRow): Promise<CityRow | null> {
    if (!profile.countPairedCity) return null;
    const { loaders } = this.context;
    const organization = await loaders.organization.load(profile.organizationId);
    return organization?.cityCode ? loaders.city.load(organization.cityCode) : null;
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

/** What the input states, checked before anything is asked or written (see `checkStatedCriteria`). */
function checkedContent(input: GivingProfileInput): GivingProfileContent {
  const checked = checkStatedCriteria(
    { ...input, prefectureCodes: input.preferredPrefectureCodes, countyCodes: input.preferredCountyCodes },
    {
      fields: 'input.fields',
      prefectureCodes: 'input.preferredPrefectureCodes',
      countyCodes: 'input.preferredCountyCodes',
      yearlyBudget: 'input.yearlyBudget',
      smallestGrant: 'input.smallestGrant',
      largestGrant: 'input.largestGrant',
      reportingLanguages: 'input.reportingLanguages',
    },
  );
  return {
    fields: checked.fields,
    preferredPrefectureCodes: checked.prefectureCodes,
    preferredCountyCodes: checked.countyCodes,
    countPairedCity: input.countPairedCity,
    prioritizeDeepPoverty: input.prioritizeDeepPoverty,
    prioritizeRevolutionaryOldArea: input.prioritizeRevolutionaryOldArea,
    yearlyBudgetFen: checked.yearlyBudgetFen,
    smallestGrantFen: checked.smallestGrantFen,
    largestGrantFen: checked.largestGrantFen,
    reportingLanguages: checked.reportingLanguages,
    public: input.public,
  };
}
