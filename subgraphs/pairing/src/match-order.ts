import { ErrorCode, isUuid, userError, type MatchPart } from '@hub/common';

/** A candidate with its score, before paging. */
export interface RankedMatch {
  projectId: string;
  score: number;
  /** Null when the amount sought is unknown. */
  stillSoughtFen: bigint | null;
  parts: MatchPart[];
}

/** Where a page ended: the last match's place in the order. */
export interface MatchCursor {
  score: number;
  stillSoughtFen: bigint | null;
  projectId: string;
}

/**
 * The order of matches, total so that pages partition it (docs/decisions/0026-matching.md):
 * score descending, then what is still sought ascending with unknown amounts last, then id.
 */
export function compareMatches(a: MatchCursor, b: MatchCursor): number {
  if (a.score !== b.score) return b.score - a.score;
  if (a.stillSoughtFen !== b.stillSoughtFen) {
    if (a.stillSoughtFen === null) return 1;
    if (b.stillSoughtFen === null) return -1;
    return a.stillSoughtFen < b.stillSoughtFen ? -1 : 1;
  }
  return a.projectId < b.projectId ? -1 : a.projectId > b.projectId ? 1 : 0;
}

export function encodeMatchCursor(match: MatchCursor): string {
  const stillSought = match.stillSoughtFen === null ? '' : match.stillSoughtFen.toString();
  return Buffer.from(`${match.score}|${stillSought}|${match.projectId}`, 'utf8').toString('base64url');
}

/** Reads a cursor a match page handed out; anything else is BAD_USER_INPUT on `after`. */
export function decodeMatchCursor(value: string): MatchCursor {
  const [score, stillSought, projectId, extra] = Buffer.from(value, 'base64url').toString('utf8').split('|');
  const valid =
    extra === undefined &&
    score !== undefined &&
    /^\d{1,4}$/.test(score) &&
    stillSought !== undefined &&
    /^(\d{1,19})?$/.test(stillSought) &&
    projectId !== undefined &&
    isUuid(projectId);
  if (!valid) {
    throw userError(ErrorCode.BadUserInput, 'Argument "after" is not a cursor a match page returned.', { argument: 'after' });
  }
  return { score: Number(score), stillSoughtFen: stillSought === '' ? null : BigInt(stillSought), projectId };
}

/** The matches after `cursor` in the order, `first` of them, and whether more follow. */
export function pageOfMatches(ranked: readonly RankedMatch[], first: number, cursor: MatchCursor | null) {
  const ordered = [...ranked].sort(compareMatches);
  const start = cursor === null ? 0 : ordered.findIndex((match) => compareMatches(match, cursor) > 0);
  const rest = start === -1 ? [] : ordered.slice(start);
  return { nodes: rest.slice(0, first), hasNextPage: rest.length > first };
}
