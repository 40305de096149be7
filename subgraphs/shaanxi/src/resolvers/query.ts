import { decodeTimeCursor, encodeTimeCursor, notFound, pageArgs } from '@hub/common';
import type { GraphQLResolveInfo } from 'graphql';
import type { ShaanxiContext } from '../loaders.ts';
import { needLoader } from './project.ts';
import type { CountyFilter, OrganizationFilter, ProjectNeedFilter } from '../store/shaanxi-store.ts';

export interface PageInput {
  first?: number | null;
  after?: string | null;
}

export const Query = {
  shaanxiOrganizationKinds: (_: unknown, { ids }: { ids: string[] }, { store }: ShaanxiContext) => store.kindsByIds(ids),

  prefectures: (_: unknown, __: unknown, { store }: ShaanxiContext) => store.allPrefectures(),

  async prefecture(_: unknown, { code }: { code: string }, { loaders }: ShaanxiContext) {
    const prefecture = await loaders.prefecture.load(code);
    if (!prefecture) throw notFound('Shaanxi prefecture', 'code', code);
    return prefecture;
  },

  async counties(
    _: unknown,
    args: { filter?: CountyFilter | null } & PageInput,
    { store }: ShaanxiContext,
  ) {
    const { first, after } = pageArgs(args);
    const filter = args.filter ?? {};
    const [rows, totalCount] = await Promise.all([store.countiesPage(filter, first, after), store.countCounties(filter)]);
    const nodes = rows.slice(0, first);
    return {
      nodes,
      totalCount,
      pageInfo: { hasNextPage: rows.length > first, endCursor: nodes.at(-1)?.code ?? null },
    };
  },

  async county(_: unknown, { code }: { code: string }, { loaders }: ShaanxiContext) {
    const county = await loaders.county.load(code);
    if (!county) throw notFound('Shaanxi county', 'code', code);
    return county;
  },

  shaanxiOrganizations: (_: unknown, { filter }: { filter?: OrganizationFilter | null }, { store }: ShaanxiContext) =>
    store.organizationsMatching(filter ?? {}),

  async shaanxiOrganization(_: unknown, { id }: { id: string }, { loaders }: ShaanxiContext) {
    const organization = await loaders.organization.load(id);
    if (!organization) throw notFound('Shaanxi organization', 'id', id);
    return organization;
  },

  async projectNeeds(
    _: unknown,
    args: { filter?: ProjectNeedFilter | null } & PageInput,
    { store }: ShaanxiContext,
  ) {
    const { first, after } = pageArgs(args);
    const filter = args.filter ?? {};
    const cursor = after === null ? null : decodeTimeCursor(after);
    const { rows, totalCount } = await store.projectNeedsPage(filter, first, cursor);
    const nodes = rows.slice(0, first);
    const last = nodes.at(-1);
    return {
      nodes,
      totalCount,
      pageInfo: {
        hasNextPage: rows.length > first,
        endCursor: last ? encodeTimeCursor({ at: last.createdAt, id: last.id }) : null,
      },
    };
  },

  async project(_: unknown, { id }: { id: string }, { loaders }: ShaanxiContext, info: GraphQLResolveInfo) {
    const project = await needLoader(loaders, info).load(id.toLowerCase());
    if (!project) throw notFound('project', 'id', id);
    return project;
  },
};
