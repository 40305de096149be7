import { moneyFromFen, provenanceOf } from '@hub/common';
import { GivingProfileService, type GivingProfileInput } from '../giving-profile-service.ts';
import type { JiangsuContext } from '../loaders.ts';
import type { OrganizationRow } from '../store/jiangsu-store.ts';
import type { GivingProfileRow, GivingProfileVersionRow } from '../store/giving-profile-store.ts';

export const givingProfileMutations = {
  setGivingProfile: (_: unknown, { input }: { input: GivingProfileInput }, context: JiangsuContext) =>
    new GivingProfileService(context).setProfile(input),
};

/** The organization's profile, spread into the JiangsuOrganization resolvers. */
export const organizationGivingProfileFields = {
  givingProfile: (organization: OrganizationRow, _: unknown, context: JiangsuContext) =>
    new GivingProfileService(context).readableProfile(organization.id),
};

/** What a profile and each of its versions state alike. */
const statedMoney = {
  yearlyBudget: (row: GivingProfileRow | GivingProfileVersionRow) => moneyFromFen(row.yearlyBudgetFen),
  smallestGrant: (row: GivingProfileRow | GivingProfileVersionRow) => moneyFromFen(row.smallestGrantFen),
  largestGrant: (row: GivingProfileRow | GivingProfileVersionRow) => moneyFromFen(row.largestGrantFen),
};

export const GivingProfile = {
  __resolveReference: ({ organizationId }: { organizationId: string }, context: JiangsuContext) =>
    new GivingProfileService(context).readableProfile(organizationId),
  async organization(profile: GivingProfileRow, _: unknown, { loaders }: JiangsuContext) {
    const organization = await loaders.organization.load(profile.organizationId);
    if (!organization) throw new Error(`giving profile names missing organization ${profile.organizationId}`);
    return organization;
  },
  preferredPrefectures: (profile: GivingProfileRow) => profile.preferredPrefectureCodes.map((code) => ({ code })),
  preferredCounties: (profile: GivingProfileRow) => profile.preferredCountyCodes.map((code) => ({ code })),
  pairedCity: (profile: GivingProfileRow, _: unknown, context: JiangsuContext) => new GivingProfileService(context).pairedCity(profile),
  ...statedMoney,
  versions: (profile: GivingProfileRow, _: unknown, context: JiangsuContext) => new GivingProfileService(context).versions(profile),
  provenance: provenanceOf,
};

export const GivingProfileVersion = {
  ...statedMoney,
};
