import {
  ErrorCode,
  MATCH_REASON_CODES,
  maxMatchScore,
  moneyFromFen,
  pageArgs,
  userError,
  type MatchPart,
  type ProjectField,
  type ProvenanceKind,
} from '@hub/common';
import type { Stage } from './db/schema.ts';
import type { PairingContext } from './loaders.ts';
import type { MatchCriteria } from './match-criteria.ts';
import { decodeMatchCursor, encodeMatchCursor, pageOfMatches, type RankedMatch } from './match-order.ts';

/** `MatchFilter` as GraphQL hands it over. */
export interface MatchFilterInput {
  field?: ProjectField | null;
  prefectureCode?: string | null;
  countyCode?: string | null;
  stages?: Stage[] | null;
  minimumScore?: number | null;
  provenance?: ProvenanceKind[] | null;
}

/** The stages at which a project is open for funding. */
const OPEN_STAGES: Stage[] = ['PUBLISHED', 'MATCHED'];

interface Fit {
  points: number;
  parts: MatchPart[];
}

// Shaanxi's part, with what Jiangsu's part requires of the need: its amount and its place.
const NEED_FITS = /* GraphQL */ `
  query NeedFits($representations: [_Any!]!, $criteria: NeedCriteriaInput!) {
    _entities(representations: $representations) {
      ... on Project {
        id
        amountSought { fen }
        county { code prefecture { code nameZh namePinyin } }
        needFit(criteria: $criteria) { published points parts { code points zh en } }
      }
    }
  }
`;

interface NeedFitEntity {
  id: string;
  amountSought: { fen: number } | null;
  county: { code: string; prefecture: { code: string; nameZh: string; namePinyin: string } };
  needFit: Fit & { published: boolean };
}

const FUNDING_FITS = /* GraphQL */ `
  query FundingFits($representations: [_Any!]!, $criteria: FundingCriteriaInput!) {
    _entities(representations: $representations) {
      ... on Project { id fundingFit(criteria: $criteria) { stillSought { fen } points parts { code points zh en } } }
    }
  }
`;

interface FundingFitEntity {
  id: string;
  fundingFit: Fit & { stillSought: { fen: number } | null };
}

/**
 * Ranks the projects open for funding for a set of criteria (docs/decisions/0026-matching.md):
 * the candidates are the pipeline's, each province scores its own part for all of them in one
 * request, and the pairing adds the parts, orders them and cuts the page.
 */
export class MatchService {
  constructor(private readonly context: PairingContext) {}

  async page(criteria: MatchCriteria, filterInput: MatchFilterInput | null | undefined, args: { first?: number | null; after?: string | null }) {
    const { first, after } = pageArgs(args);
    const cursor = after === null ? null : decodeMatchCursor(after);
    const filter = filterInput ?? {};
    const minimumScore = filter.minimumScore ?? 0;
    if (!Number.isInteger(minimumScore) || minimumScore < 0) {
      throw userError(ErrorCode.BadUserInput, 'filter.minimumScore: a whole number of points, 0 or more.', { field: 'filter.minimumScore' });
    }
    const stages = openStages(filter.stages);
    const candidates = await this.context.pipeline.openForFunding({
      stages,
      field: filter.field ?? null,
      prefectureCode: filter.prefectureCode ?? null,
      countyCode: filter.countyCode ?? null,
      provenance: filter.provenance ?? null,
    });
    const ranked = (await this.rank(candidates, criteria)).filter((match) => match.score >= minimumScore);
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
      pageInfo: { endCursor: last ? encodeMatchCursor(last) : null, hasNextPage },
    };
  }

  /** Every candidate that is still open once both provinces have spoken, with its score. */
  private async rank(projectIds: readonly string[], criteria: MatchCriteria): Promise<RankedMatch[]> {
    if (projectIds.length === 0) return [];
    const { peers } = this.context;
    const needs = await peers.query<{ _entities: (NeedFitEntity | null)[] }>('shaanxi', NEED_FITS, {
      representations: projectIds.map((id) => ({ __typename: 'Project', id })),
      criteria: {
        fields: criteria.fields,
        prefectureCodes: criteria.prefectureCodes,
        countyCodes: criteria.countyCodes,
        prioritizeDeepPoverty: criteria.prioritizeDeepPoverty,
        prioritizeRevolutionaryOldArea: criteria.prioritizeRevolutionaryOldArea,
        reportingLanguages: criteria.reportingLanguages,
      },
    });
    // A need Shaanxi does not know, or has not published, is never matched (0016).
    const published = needs._entities.filter((need): need is NeedFitEntity => need !== null && need.needFit.published);
    if (published.length === 0) return [];
    const funding = await peers.query<{ _entities: (FundingFitEntity | null)[] }>('jiangsu', FUNDING_FITS, {
      representations: published.map((need) => ({
        __typename: 'Project',
        id: need.id,
        amountSought: need.amountSought,
        county: need.county,
      })),
      criteria: {
        pairedWithCityCode: criteria.pairedWithCityCode,
        yearlyBudgetFen: fenNumber(criteria.yearlyBudgetFen),
        smallestGrantFen: fenNumber(criteria.smallestGrantFen),
        largestGrantFen: fenNumber(criteria.largestGrantFen),
      },
    });
    return published.flatMap((need, index) => {
      const money = funding._entities[index];
      if (!money) return [];
      const stillSoughtFen = money.fundingFit.stillSought === null ? null : BigInt(money.fundingFit.stillSought.fen);
      // Fully pledged or committed: no longer open for funding.
      if (stillSoughtFen === 0n) return [];
      const parts = [...need.needFit.parts, ...money.fundingFit.parts].sort(byPointsThenCode);
      return [{ projectId: need.id, score: need.needFit.points + money.fundingFit.points, stillSoughtFen, parts }];
    });
  }
}

/** The stages a filter asks for, which must be open ones; omitted: both. */
function openStages(stages: Stage[] | null | undefined): Stage[] {
  if (!stages || stages.length === 0) return OPEN_STAGES;
  const closed = stages.find((stage) => !OPEN_STAGES.includes(stage));
  if (closed) {
    throw userError(ErrorCode.BadUserInput, `filter.stages: only PUBLISHED and MATCHED projects are open for funding; got ${closed}.`, {
      field: 'filter.stages',
    });
  }
  return [...new Set(stages)];
}

const fenNumber = (fen: bigint | null) => (fen === null ? null : Number(fen));

const byPointsThenCode = (a: MatchPart, b: MatchPart) =>
  b.points - a.points || MATCH_REASON_CODES.indexOf(a.code) - MATCH_REASON_CODES.indexOf(b.code);
