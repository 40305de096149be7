import { GraphQLError } from 'graphql';
import { ErrorCode } from './errors.ts';

/**
 * Who is asking. The gateway establishes it from a signed token; subgraphs receive it from
 * the gateway and decide, where the data lives, what it may do.
 */
export const ROLES = ['PUBLIC', 'FOUNDATION_MEMBER', 'SHAANXI_OFFICE', 'JIANGSU_OFFICE', 'SERVICE'] as const;
export type Role = (typeof ROLES)[number];

export interface Identity {
  role: Role;
  /** The token's subject; null for the public. */
  subject: string | null;
  /** The organization a foundation member acts for; null for every other role. */
  organizationId: string | null;
}

/**
 * A subgraph asking another subgraph for what it owns (a project's stage, say). Never carried
 * by a user token: the gateway's authenticator accepts only the three user roles.
 */
export function serviceIdentity(subgraph: string): Identity {
  return { role: 'SERVICE', subject: `subgraph:${subgraph}`, organizationId: null };
}

export const PUBLIC_IDENTITY: Identity = Object.freeze({ role: 'PUBLIC', subject: null, organizationId: null });

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/**
 * Refuses the caller unless it has one of `roles`: UNAUTHENTICATED for the public (a token
 * would help), FORBIDDEN for a signed-in role that may not do this.
 */
export function requireRole(identity: Identity, roles: readonly Role[], action: string): void {
  if (roles.includes(identity.role)) return;
  throw refusal(identity, action);
}

/** Refuses the caller unless it is a member of `organizationId`. */
export function requireMemberOf(identity: Identity, organizationId: string, action: string): void {
  if (identity.role === 'FOUNDATION_MEMBER' && identity.organizationId === organizationId) return;
  throw refusal(identity, action);
}

const PAIRING_SERVICE_SUBJECT = serviceIdentity('pairing').subject;

/**
 * Refuses every caller but the pairing subgraph's service identity, for the operations the
 * public graph does not show (`@inaccessible`) that only follow from the pairing's own rules:
 * publishing a need, recording a signed package's commitments, summing funding for tracking.
 * UNAUTHENTICATED for the public, FORBIDDEN for anyone else, another subgraph included.
 */
export function requirePairingService(identity: Identity, action: string): void {
  requireRole(identity, ['SERVICE'], action);
  if (identity.subject === PAIRING_SERVICE_SUBJECT) return;
  throw new GraphQLError(`Only the pairing subgraph may ${action}.`, {
    extensions: { code: ErrorCode.Forbidden, role: identity.role },
  });
}

function refusal(identity: Identity, action: string): GraphQLError {
  if (identity.role === 'PUBLIC') {
    return new GraphQLError(`Sign in to ${action}.`, { extensions: { code: ErrorCode.Unauthenticated } });
  }
  return new GraphQLError(`The ${identity.role} role may not ${action}.`, {
    extensions: { code: ErrorCode.Forbidden, role: identity.role },
  });
}
