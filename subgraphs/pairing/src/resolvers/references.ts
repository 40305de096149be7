import type { Province } from '../db/schema.ts';

/** An organization owned by a province subgraph, as an entity reference the gateway resolves. */
export function organizationReference(id: string, province: Province) {
  return { __typename: province === 'SHAANXI' ? 'ShaanxiOrganization' : 'JiangsuOrganization', id };
}
