import type { Identity } from './identity.ts';

/**
 * What of the needs a caller may read. A need is the Shaanxi office's draft until it is
 * published; the hub's own services read drafts too, since they move projects on
 * (docs/decisions/0016-draft-needs.md). Each subgraph's store is built with this once per
 * request, so no resolver decides it again.
 */
export type DraftAccess = 'drafts-included' | 'published-only';

/** Whether `identity` sees draft needs: the Shaanxi office and the hub's own services. */
export function seesDrafts(identity: Identity): boolean {
  return identity.role === 'SHAANXI_OFFICE' || identity.role === 'SERVICE';
}

export function draftAccess(identity: Identity): DraftAccess {
  return seesDrafts(identity) ? 'drafts-included' : 'published-only';
}

/**
 * Whether `identity` is told who (which token subject, a person) moved a project: the two
 * province offices. Everyone else learns only the role that acted.
 */
export function seesWhoActed(identity: Identity): boolean {
  return identity.role === 'SHAANXI_OFFICE' || identity.role === 'JIANGSU_OFFICE';
}
