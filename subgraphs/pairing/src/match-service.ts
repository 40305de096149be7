import {
  ErrorCode,
  maxMatchScore,
  moneyFromFen,
  notFound,
  OPEN_FOR_FUNDING_STAGES,
  pageArgs,
  userError,
  type ProjectField,
  type ProvenanceKind,
} from '@hub/common';
import type { Stage } from './db/schema.ts';
import type { PairingContext } from './loaders.ts';
import { criteriaOfProfile, type MatchCriteria, type RequiredProfile } from './match-criteria.ts';
import { decodeMatchCursor, encodeMatchCursor, pageOfMatches } from './match-order.ts';
import type { CandidateFilter } from './match-ranking.ts';

/** `MatchFilter` as GraphQL hands it over. */
export interface MatchFilterInput {
  field?: ProjectField | null;
  prefectureCode?: string | null;
  countyCode?: string | null;
  stages?: Stage[] | null;
  minimumScore?: number | null;
  provenance?: ProvenanceKind[] | null;
}

export interface PageRequest {
  filter?: MatchFilterInput | null;
  first?: number | null;
  after?: string | null;
}

/**
 * Pages of matches (docs/decisions/0026-matching.md). The ranking itself is the request's
 * `matchRankings` loader: every ranking a request asks for is made together.
 */
export class MatchService {
  constructor(private readonly context: PairingContext) {}

  /**
   * The matches of an organization's giving profile, as `@requires` brought it from Jiangsu
   * with the caller's identity: a profile the caller may not read arrives as null, exactly like
   * none, and is answered as none.
   */
  matchesOfProfile(organizationId: string, profile: RequiredProfile | null | undefined, request: PageRequest) {
    if (!profile) throw notFound('giving profile', 'organizationId', organizationId);
    return this.page(criteriaOfProfile(profile), request);
  }

  async page(criteria: MatchCriteria, { filter, ...args }: PageRequest) {
    const { first, after } = pageArgs(args);
    const cursor = after === null ? null : decodeMatchCursor(after);
    const minimumScore = filter?.minimumScore ?? 0;
    if (!Number.isInteger(minimumScore) || minimumScore < 0) {
      throw userError(ErrorCode.BadUserInput, 'filter.minimumScore must be a whole number of points, 0 or more.', { field: 'filter.minimumScore' });
    }
    checkPlaceFilter(filter?.prefectureCode, /^61(?!00)\d{2}00$/, 'filter.prefectureCode', 'a Shaanxi prefecture-level code (61xx00)');
    checkPlaceFilter(filter?.countyCode, /^61(?!00)\d{2}(?!00)\d{2}$/, 'filter.countyCode', 'a Shaanxi county-level code');
    const candidates: CandidateFilter = {
      stages: openStages(filter?.stages),
      field: filter?.field ?? null,
      prefectureCode: filter?.prefectureCode ?? null,
      countyCode: filter?.countyCode ?? null,
      provenance: filter?.provenance ?? null,
    };
    const ranked = (await this.context.loaders.matchRankings.load({ criteria, filter: candidates })).filter(
      (match) => match.score >= minimumScore,
    );
    const { nodes, hasNextPage } = pageOfMatches(ranked, first, cursor);
    const last = nodes.at(-1);
    return {
      nodes: nodes.map((match) => ({
        project: { id: match.projectId },
        score: match.score,
        reasons: match.parts.map((part) => ({ ...part, text: `${part.zh} / ${part.en}` })),
        stillSought: moneyFromFen(match.stillSoughtFen),
      })),
      totalCount: ranked.length,
      maxScore: maxMatchScore(criteria),
      // An empty page ends where it began.
      pageInfo: { endCursor: last ? encodeMatchCursor(last) : after, hasNextPage },
    };
  }
}

/** A place a filter names is a Shaanxi one of the right level: anything else could only ever match nothing. */
function checkPlaceFilter(code: string | null | undefined, pattern: RegExp, field: string, what: string): void {
  if (code === null || code === undefined || pattern.test(code)) return;
  throw userError(ErrorCode.BadUserInput, `${field} must be ${what}; got ${JSON.stringify(code)}.`, { field });
}

/** The stages a filter asks for, which must be open ones: omitted, both; [], none. */
function openStages(stages: Stage[] | null | undefined): Stage[] {
  if (stages === null || stages === undefined) return [...OPEN_FOR_FUNDING_STAGES];
  const closed = stages.find((stage) => !(OPEN_FOR_FUNDING_STAGES as readonly Stage[]).includes(stage));
  if (closed) {
    throw userError(ErrorCode.BadUserInput, `filter.stages: only PUBLISHED and MATCHED projects are open for funding; got ${closed}.`, {
      field: 'filter.stages',
    });
  }
  return [...new Set(stages)];
}
