import { randomUUID } from 'node:crypto';
import {
  cleanOrganizationInput,
  cleanProfile,
  creationKey,
  ErrorCode,
  idempotencyKeyReused,
  requireMemberOf,
  requireRole,
  userError,
  type OrganizationInput,
  type OrganizationProfileInput,
} from '@hub/common';
import { duplicateUscc, unwrapUpdate } from '@hub/server';
import type { JiangsuContext } from '../loaders.ts';

type JiangsuOrganizationInput = OrganizationInput & { cityCode?: string | null };
type CreateJiangsuOrganizationInput = JiangsuOrganizationInput & { idempotencyKey?: string | null };

export const Mutation = {
  async createJiangsuOrganization(_: unknown, { input }: { input: CreateJiangsuOrganizationInput }, context: JiangsuContext) {
    requireRole(context.identity, ['JIANGSU_OFFICE'], 'register Jiangsu organizations');
    const changes = cleanOrganizationInput(input, true);
    const cityCode = input.cityCode ?? null;
    const key = creationKey(input.idempotencyKey, { mutation: 'createJiangsuOrganization', ...changes, cityCode });
    if (cityCode) await requireCity(context, cityCode);
    const result = await context.store.insertOrganization({
      id: `js-${randomUUID()}`,
      nameZh: changes.nameZh as string,
      kind: changes.kind as NonNullable<typeof changes.kind>,
      ...changes,
      cityCode,
      provenanceKind: 'ENTERED',
      ...key,
    });
    if (result.type === 'duplicate-uscc') throw duplicateUscc();
    if (result.type === 'key-reused') throw idempotencyKeyReused();
    return result.row;
  },

  async updateJiangsuOrganization(
    _: unknown,
    args: { id: string; expectedVersion: number; input: JiangsuOrganizationInput },
    context: JiangsuContext,
  ) {
    requireRole(context.identity, ['JIANGSU_OFFICE'], 'edit Jiangsu organizations');
    const changes: Record<string, unknown> = { ...cleanOrganizationInput(args.input, false) };
    if (args.input.cityCode !== undefined) {
      if (args.input.cityCode !== null) await requireCity(context, args.input.cityCode);
      changes.cityCode = args.input.cityCode;
    }
    const result = await context.store.updateOrganization(args.id, args.expectedVersion, changes);
    return unwrapUpdate(result, { name: 'Jiangsu organization', ...args });
  },

  async updateJiangsuOrganizationProfile(
    _: unknown,
    args: { id: string; expectedVersion: number; input: OrganizationProfileInput },
    context: JiangsuContext,
  ) {
    requireMemberOf(context.identity, args.id, "edit this organization's profile");
    const result = await context.store.updateOrganization(args.id, args.expectedVersion, cleanProfile(args.input));
    return unwrapUpdate(result, { name: 'Jiangsu organization', ...args });
  },
};

async function requireCity(context: JiangsuContext, code: string): Promise<void> {
  const city = await context.loaders.city.load(code);
  if (!city) {
    throw userError(ErrorCode.NotFound, `input.cityCode: no Jiangsu city has code "${code}".`, { field: 'input.cityCode' });
  }
}
