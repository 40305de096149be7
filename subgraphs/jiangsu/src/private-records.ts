import type { Identity, Role } from '@hub/common';

/**
 * Roles that read every organization's private records: the two province offices, to whom a
 * foundation's profile and interest are addressed, and the hub's own services (the pairing ranks
 * matches from a private profile and offers the interested organization when a project is
 * matched).
 */
const READS_EVERY_ORGANIZATION: readonly Role[] = ['SHAANXI_OFFICE', 'JIANGSU_OFFICE', 'SERVICE'];

/**
 * Whether the caller reads an organization's private records in Jiangsu — a private giving
 * profile and its versions, its interests in projects (docs/decisions/0026-matching.md): the
 * offices and the services, and the organization's own members. The one rule both the profile
 * and the interest service apply, so that the two never disagree.
 */
export function readsPrivateRecordsOf(identity: Identity, organizationId: string): boolean {
  if (READS_EVERY_ORGANIZATION.includes(identity.role)) return true;
  return identity.role === 'FOUNDATION_MEMBER' && identity.organizationId === organizationId;
}

/**
 * Whether the caller reads any organization's private records at all: false for the public,
 * so that a reader can answer it without a lookup.
 */
export function readsAnyPrivateRecords(identity: Identity): boolean {
  if (READS_EVERY_ORGANIZATION.includes(identity.role)) return true;
  return identity.role === 'FOUNDATION_MEMBER' && identity.organizationId !== null;
}
