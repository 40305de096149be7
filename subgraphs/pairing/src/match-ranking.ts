import DataLoader from 'dataloader';
import { MATCH_REASON_CODES, type MadeOnUse, type MatchPart, type ProjectField, type ProvenanceKind } from '@hub/common';
import type { Peers } from '@hub/server';
import type { Stage } from './db/schema.ts';
import type { MatchCriteria } from './match-criteria.ts';
import type { RankedMatch } from './match-order.ts';
import type { PipelineStore } from './store/pipeline-store.ts';

/** Which candidates a ranking is over: the pipeline's filters, and the field Shaanxi holds now. */
export interface CandidateFilter {
  stages: Stage[];
  field: ProjectField | null;
  prefectureCode: string | null;
  countyCode: string | null;
  provenance: ProvenanceKind[] | null;
}

/** One ranking a request asks for: a foundation's criteria over some candidates. */
export interface RankingRequest {
  criteria: MatchCriteria;
  filter: CandidateFilter;
}

interface Fit {
  points: number;
  parts: MatchPart[];
}

interface NeedFitEntity {
  id: string;
  field: ProjectField;
  amountSought: { fen: number } | null;
  county: { code: string; prefecture: { code: string; nameZh: string; namePinyin: string } };
  [alias: `fit${number}`]: Fit & { published: boolean };
}

interface FundingFitEntity {
  id: string;
  [alias: `fit${number}`]: Fit & { stillSought: { fen: number } | null };
}

const FIT_FIELDS = 'points parts { code points zh en }';

/**
 * Every ranking of a request together (docs/decisions/0026-matching.md): the candidates in one
 * statement per distinct filter, then ONE query to Shaanxi and ONE to Jiangsu for all of them,
 * each distinct set of criteria an alias of the province's field. A list of organizations,
 * each with its matches, costs what one organization's matches cost.
 */
export function matchLoaderFactories(pipeline: PipelineStore, peers: Peers) {
  return {
    matchRankings: () => new DataLoader((requests: readonly RankingRequest[]) => rankAll(pipeline, peers, requests), {
      cacheKeyFn: (request) => `${criteriaKey(request.criteria)} ${JSON.stringify(request.filter)}`,
    }),
  };
}

export type MatchLoaders = MadeOnUse<ReturnType<typeof matchLoaderFactories>>;

const criteriaKey = (criteria: MatchCriteria) =>
  JSON.stringify(criteria, (_, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));

async function rankAll(pipeline: PipelineStore, peers: Peers, requests: readonly RankingRequest[]): Promise<RankedMatch[][]> {
  const filterKeys = [...new Set(requests.map((request) => JSON.stringify(request.filter)))];
  const candidates = new Map(
    await Promise.all(
      filterKeys.map(async (key) => {
        const { field: _field, ...filter } = JSON.parse(key) as CandidateFilter;
        return [key, new Set(await pipeline.openForFunding(filter))] as const;
      }),
    ),
  );
  const projectIds = [...new Set([...candidates.values()].flatMap((ids) => [...ids]))];
  if (projectIds.length === 0) return requests.map(() => []);
  const criteria = [...new Map(requests.map((request) => [criteriaKey(request.criteria), request.criteria])).values()];
  const criteriaKeys = criteria.map(criteriaKey);

  const needs = await peers.query<{ _entities: (NeedFitEntity | null)[] }>(
    'shaanxi',
    /* GraphQL */ `
      query NeedFits($representations: [_Any!]!, ${criteria.map((_, n) => `$criteria${n}: NeedCriteriaInput!`).join(', ')}) {
        _entities(representations: $representations) {
          ... on Project {
            id
            field
            amountSought { fen }
            county { code prefecture { code nameZh namePinyin } }
            ${criteria.map((_, n) => `fit${n}: needFit(criteria: $criteria${n}) { published ${FIT_FIELDS} }`).join('\n')}
          }
        }
      }
    `,
    {
      representations: projectIds.map((id) => ({ __typename: 'Project', id })),
      ...Object.fromEntries(criteria.map((one, n) => [`criteria${n}`, needCriteria(one)])),
    },
  );
  // A need Shaanxi does not know is never matched; one it has not published is left out below.
  const known = needs._entities.filter((need): need is NeedFitEntity => need !== null);
  if (known.length === 0) return requests.map(() => []);
  const funding = await peers.query<{ _entities: (FundingFitEntity | null)[] }>(
    'jiangsu',
    /* GraphQL */ `
      query FundingFits($representations: [_Any!]!, ${criteria.map((_, n) => `$criteria${n}: FundingCriteriaInput!`).join(', ')}) {
        _entities(representations: $representations) {
          ... on Project {
            id
            ${criteria.map((_, n) => `fit${n}: fundingFit(criteria: $criteria${n}) { stillSought { fen } ${FIT_FIELDS} }`).join('\n')}
          }
        }
      }
    `,
    {
      // What fundingFit requires, as the gateway would send it.
      representations: known.map((need) => ({ __typename: 'Project', id: need.id, amountSought: need.amountSought, county: need.county })),
      ...Object.fromEntries(criteria.map((one, n) => [`criteria${n}`, fundingCriteria(one)])),
    },
  );
  return requests.map((request) => {
    const open = candidates.get(JSON.stringify(request.filter))!;
    const n = criteriaKeys.indexOf(criteriaKey(request.criteria));
    return known.flatMap((need, index) => {
      const money = funding._entities[index];
      const needFit = need[`fit${n}`]!;
      const fundingFit = money?.[`fit${n}`];
      // Open for funding: a candidate, published in Shaanxi (0016), of the field asked for as
      // Shaanxi holds it now, and not yet pledged or committed in full.
      if (!open.has(need.id) || !needFit.published || !fundingFit) return [];
      if (request.filter.field !== null && need.field !== request.filter.field) return [];
      const stillSoughtFen = fundingFit.stillSought === null ? null : BigInt(fundingFit.stillSought.fen);
      if (stillSoughtFen === 0n) return [];
      const parts = [...needFit.parts, ...fundingFit.parts].sort(byPointsThenCode);
      return [{ projectId: need.id, score: needFit.points + fundingFit.points, stillSoughtFen, parts }];
    });
  });
}

const needCriteria = (criteria: MatchCriteria) => ({
  fields: criteria.fields,
  prefectureCodes: criteria.prefectureCodes,
  countyCodes: criteria.countyCodes,
  prioritizeDeepPoverty: criteria.prioritizeDeepPoverty,
  prioritizeRevolutionaryOldArea: criteria.prioritizeRevolutionaryOldArea,
  reportingLanguages: criteria.reportingLanguages,
});

const fenNumber = (fen: bigint | null) => (fen === null ? null : Number(fen));

const fundingCriteria = (criteria: MatchCriteria) => ({
  pairedWithCityCode: criteria.pairedWithCityCode,
  yearlyBudgetFen: fenNumber(criteria.yearlyBudgetFen),
  smallestGrantFen: fenNumber(criteria.smallestGrantFen),
  largestGrantFen: fenNumber(criteria.largestGrantFen),
});

const byPointsThenCode = (a: MatchPart, b: MatchPart) =>
  b.points - a.points || MATCH_REASON_CODES.indexOf(a.code) - MATCH_REASON_CODES.indexOf(b.code);
