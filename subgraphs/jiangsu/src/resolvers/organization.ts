import { provenanceOf } from '@hub/common';
import type { JiangsuContext } from '../loaders.ts';
import type { OrganizationRow } from '../store/jiangsu-store.ts';

export const JiangsuOrganization = {
  __resolveReference: ({ id }: { id: string }, { loaders }: JiangsuContext) => loaders.organization.load(id),
  province: () => 'JIANGSU',
  city: (organization: OrganizationRow, _: unknown, { loaders }: JiangsuContext) =>
    organization.cityCode ? loaders.city.load(organization.cityCode) : null,
  provenance: provenanceOf,
};
