import { randomUUID } from 'node:crypto';
import {
  amountSoughtFen,
  amountSoughtOverLimit,
  checkRange,
  cleanOptionalText,
  cleanOrganizationInput,
  cleanProfile,
  cleanText,
  creationKey,
  ErrorCode,
  idempotencyKeyReused,
  notFound,
  notNull,
  requireMemberOf,
  requireRole,
  userError,
  type MoneyInput,
  type OrganizationInput,
  type OrganizationProfileInput,
  type ProjectField,
} from '@hub/common';
import { duplicateUscc, unwrapUpdate } from '@hub/server';
import type { ShaanxiContext } from '../loaders.ts';

export interface ProjectNeedInput {
  countyCode?: string;
  raisedByOrganizationId?: string | null;
  titleZh?: string | null;
  titleEn?: string | null;
  field?: ProjectField | null;
  description?: string | null;
  amountSought?: MoneyInput | null;
  beneficiaryCount?: number | null;
  beneficiaryDescription?: string | null;
}

const ENTERED = { provenanceKind: 'ENTERED', sourceId: null, sourceDetail: null } as const;

export const Mutation = {
  async createShaanxiOrganization(
    _: unknown,
    { input }: { input: OrganizationInput & { homeCountyCode?: string | null; idempotencyKey?: string | null } },
    context: ShaanxiContext,
  ) {
    requireRole(context.identity, ['SHAANXI_OFFICE'], 'register Shaanxi organizations');
    const changes = cleanOrganizationInput(input, true);
    const homeCountyCode = input.homeCountyCode ? await requireCounty(context, input.homeCountyCode, 'input.homeCountyCode') : null;
    const key = creationKey(input.idempotencyKey, { mutation: 'createShaanxiOrganization', ...changes, homeCountyCode });
    const result = await context.store.insertOrganization({
      id: `sn-${randomUUID()}`,
      nameZh: changes.nameZh as string,
      kind: changes.kind as NonNullable<typeof changes.kind>,
      ...changes,
      homeCountyCode,
      ...ENTERED,
      ...key,
    });
    if (result.type === 'duplicate-uscc') throw duplicateUscc();
    if (result.type === 'key-reused') throw idempotencyKeyReused();
    return result.row;
  },

  async updateShaanxiOrganization(
    _: unknown,
    args: { id: string; expectedVersion: number; input: OrganizationInput & { homeCountyCode?: string | null } },
    context: ShaanxiContext,
  ) {
    requireRole(context.identity, ['SHAANXI_OFFICE'], 'edit Shaanxi organizations');
    const changes: Record<string, unknown> = { ...cleanOrganizationInput(args.input, false) };
    if (args.input.homeCountyCode !== undefined) {
      changes.homeCountyCode =
        args.input.homeCountyCode === null ? null : await requireCounty(context, args.input.homeCountyCode, 'input.homeCountyCode');
    }
    return unwrapUpdate(await context.store.updateOrganization(args.id, args.expectedVersion, changes), {
      name: 'Shaanxi organization',
      ...args,
    });
  },

  async updateShaanxiOrganizationProfile(
    _: unknown,
    args: { id: string; expectedVersion: number; input: OrganizationProfileInput },
    context: ShaanxiContext,
  ) {
    requireMemberOf(context.identity, args.id, "edit this organization's profile");
    const changes = cleanProfile(args.input);
    return unwrapUpdate(await context.store.updateOrganization(args.id, args.expectedVersion, changes), {
      name: 'Shaanxi organization',
      ...args,
    });
  },

  async raiseProjectNeed(
    _: unknown,
    { input }: { input: ProjectNeedInput & { countyCode: string; idempotencyKey?: string | null } },
    context: ShaanxiContext,
  ) {
    requireRole(context.identity, ['SHAANXI_OFFICE'], 'raise project needs');
    const changes = cleanNeedInput(input, true);
    const raisedByOrganizationId = input.raisedByOrganizationId ?? null;
    const countyCode = await requireCounty(context, input.countyCode, 'input.countyCode');
    const key = creationKey(input.idempotencyKey, { mutation: 'raiseProjectNeed', ...changes, countyCode, raisedByOrganizationId });
    if (raisedByOrganizationId) {
      const organization = await context.loaders.organization.load(raisedByOrganizationId);
      if (!organization) throw notFound('Shaanxi organization', 'id', raisedByOrganizationId);
    }
    const result = await context.store.insertProjectNeed({
      countyCode,
      raisedByOrganizationId,
      titleZh: changes.titleZh as string,
      field: changes.field as ProjectField,
      ...changes,
      ...ENTERED,
      ...key,
    });
    if (result.type === 'key-reused') throw idempotencyKeyReused();
    if (result.type === 'over-limit') throw amountSoughtOverLimit('input.amountSought.fen');
    return result.row;
  },

  async updateProjectNeed(
    _: unknown,
    args: { id: string; expectedVersion: number; input: ProjectNeedInput },
    context: ShaanxiContext,
  ) {
    requireRole(context.identity, ['SHAANXI_OFFICE'], 'edit project needs');
    const changes = cleanNeedInput(args.input, false);
    const result = await context.store.updateProjectNeed(args.id.toLowerCase(), args.expectedVersion, changes);
    if (result.type === 'over-limit') throw amountSoughtOverLimit('input.amountSought.fen');
    return unwrapUpdate(result, { name: 'project', ...args });
  },
};

/** The county's code as records keep it, so that a renamed county's current code names the same county. */
async function requireCounty(context: ShaanxiContext, code: string, field: string): Promise<string> {
  const county = await context.loaders.county.load(code);
  if (!county) throw userError(ErrorCode.NotFound, `${field}: no Shaanxi county has code "${code}".`, { field });
  return county.code;
}


/** Checks a need's fields; left out means unchanged, null means cleared. */
function cleanNeedInput(input: ProjectNeedInput, creating: boolean) {
  const changes: {
    titleZh?: string;
    titleEn?: string | null;
    field?: ProjectField;
    description?: string | null;
    amountSoughtFen?: bigint | null;
    beneficiaryCount?: number | null;
    beneficiaryDescription?: string | null;
  } = {};
  const titleZh = notNull(input.titleZh, 'input.titleZh');
  if (titleZh !== undefined || creating) changes.titleZh = cleanText(titleZh ?? '', { field: 'input.titleZh', max: 200 });
  if (input.titleEn !== undefined) changes.titleEn = cleanOptionalText(input.titleEn, { field: 'input.titleEn', max: 200 });
  const field = notNull(input.field, 'input.field');
  if (field !== undefined) changes.field = field;
  if (input.description !== undefined) {
    changes.description = cleanOptionalText(input.description, { field: 'input.description', max: 5000, multiline: true });
  }
  if (input.amountSought !== undefined) {
    changes.amountSoughtFen = input.amountSought === null ? null : amountSoughtFen(input.amountSought, 'input.amountSought');
  }
  if (input.beneficiaryCount !== undefined) {
    changes.beneficiaryCount =
      input.beneficiaryCount === null ? null : checkRange(input.beneficiaryCount, 'input.beneficiaryCount', 0, 100_000_000);
  }
  if (input.beneficiaryDescription !== undefined) {
    changes.beneficiaryDescription = cleanOptionalText(input.beneficiaryDescription, {
      field: 'input.beneficiaryDescription',
      max: 1000,
      multiline: true,
    });
  }
  return changes;
}
