import type { Role } from '@hub/common';
import type { Stage } from './db/schema.ts';

const OFFICES: readonly Role[] = ['SHAANXI_OFFICE', 'JIANGSU_OFFICE'];
/** A draft need is the Shaanxi office's alone (docs/decisions/0016-draft-needs.md). */
const DRAFT_OWNER: readonly Role[] = ['SHAANXI_OFFICE'];

/**
 * The allowed transitions and who may make each. A SUSPENDED project resumes to the stage
 * it was suspended from (see `allowedMove`). COMPLETED work can only be evaluated; EVALUATED
 * and CANCELLED are final.
 */
export const TRANSITIONS: Record<Stage, Partial<Record<Stage, readonly Role[]>>> = {
  PROPOSED: { PUBLISHED: DRAFT_OWNER, SUSPENDED: DRAFT_OWNER, CANCELLED: DRAFT_OWNER },
  PUBLISHED: { MATCHED: OFFICES, SUSPENDED: OFFICES, CANCELLED: OFFICES },
  MATCHED: { SCHEDULED: OFFICES, PUBLISHED: OFFICES, SUSPENDED: OFFICES, CANCELLED: OFFICES },
  SCHEDULED: { SIGNED: OFFICES, SUSPENDED: OFFICES, CANCELLED: OFFICES },
  SIGNED: { IMPLEMENTING: OFFICES, SUSPENDED: OFFICES, CANCELLED: OFFICES },
  IMPLEMENTING: { COMPLETED: OFFICES, SUSPENDED: OFFICES, CANCELLED: OFFICES },
  COMPLETED: { EVALUATED: OFFICES },
  EVALUATED: {},
  SUSPENDED: { CANCELLED: OFFICES },
  CANCELLED: {},
};

export type MoveCheck =
  | { type: 'allowed' }
  | { type: 'illegal'; from: Stage; to: Stage; allowed: Stage[] }
  | { type: 'forbidden'; roles: readonly Role[] };

/**
 * Whether `role` may move a project from `from` to `to`; `resumeTo` is the stage before a
 * suspension. A draft suspended before it was published is still a draft: only the Shaanxi
 * office resumes or cancels it.
 */
export function allowedMove(from: Stage, to: Stage, role: Role, resumeTo: Stage | null): MoveCheck {
  const suspendedDraft = from === 'SUSPENDED' && resumeTo === 'PROPOSED';
  const targets: Partial<Record<Stage, readonly Role[]>> = suspendedDraft
    ? { CANCELLED: DRAFT_OWNER, PROPOSED: DRAFT_OWNER }
    : { ...TRANSITIONS[from], ...(from === 'SUSPENDED' && resumeTo ? { [resumeTo]: OFFICES } : {}) };
  const roles = targets[to];
  if (!roles) return { type: 'illegal', from, to, allowed: Object.keys(targets) as Stage[] };
  if (!roles.includes(role)) return { type: 'forbidden', roles };
  return { type: 'allowed' };
}

/** IATI activity status of a stage: 1 pipeline, 2 implementation, 3 finalisation, 4 closed, 5 cancelled, 6 suspended. */
export function iatiActivityStatus(stage: Stage): number {
  switch (stage) {
    case 'PROPOSED':
    case 'PUBLISHED':
    case 'MATCHED':
    case 'SCHEDULED':
      return 1;
    case 'SIGNED':
    case 'IMPLEMENTING':
      return 2;
    case 'COMPLETED':
      return 3;
    case 'EVALUATED':
      return 4;
    case 'CANCELLED':
      return 5;
    case 'SUSPENDED':
      return 6;
  }
}
