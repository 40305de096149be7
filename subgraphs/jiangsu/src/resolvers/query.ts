import { notFound } from '@hub/common';
import type { JiangsuContext } from '../loaders.ts';
import type { OrganizationFilter } from '../store/jiangsu-store.ts';

export const Query = {
  jiangsuCities: (_: unknown, __: unknown, { store }: JiangsuContext) => store.allCities(),

  async jiangsuCity(_: unknown, { code }: { code: string }, { loaders }: JiangsuContext) {
    const city = await loaders.city.load(code);
    if (!city) throw notFound('Jiangsu city', 'code', code);
    return city;
  },
  async jiangsuCounty(_: unknown, { code }: { code: string }, { loaders }: JiangsuContext) {
    const county = await loaders.county.load(code);
    if (!county) throw notFound('Jiangsu county-level division', 'code', code);
    return county;
  },

  jiangsuOrganizations: (_: unknown, { filter }: { filter?: OrganizationFilter | null }, { store }: JiangsuContext) =>
    store.organizationsMatching(filter ?? {}),

  async jiangsuOrganization(_: unknown, { id }: { id: string }, { loaders }: JiangsuContext) {
    const organization = await loaders.organization.load(id);
    if (!organization) throw notFound('Jiangsu organization', 'id', id);
    return organization;
  },

  cityPairings: (_: unknown, __: unknown, { store }: JiangsuContext) => store.allCityPairings(),
};
