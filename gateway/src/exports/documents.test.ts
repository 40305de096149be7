import { readFileSync } from 'node:fs';
import { Supergraph } from '@apollo/federation-internals';
import { parse, validate, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../config.ts';
import { demandControlOf, estimateCost } from '../limits.ts';
import { SUPERGRAPH_FILE } from '../subgraphs.ts';
import { ACTIVITIES_PER_PAGE, AGREEMENT_PROGRESS, PACKAGE_LINES, PIPELINE_ACTIVITIES, PIPELINE_ROWS, PIPELINE_TOTALS, ROWS_PER_PAGE } from './documents.ts';

/**
 * The downloads run these operations through the gateway, whose limits hold for them as for
 * any client: each must be valid against the served graph and cost no more than the default
 * limit at the page size it is run with, or every download of it would be refused.
 */
const supergraphSdl = readFileSync(SUPERGRAPH_FILE, 'utf8');
const schema = Supergraph.build(supergraphSdl).apiSchema().toGraphQLJSSchema();
const demand = demandControlOf(supergraphSdl);

const OPERATIONS = [
  { name: 'PIPELINE_ROWS', document: PIPELINE_ROWS, variables: { first: ROWS_PER_PAGE } },
  { name: 'PIPELINE_ACTIVITIES', document: PIPELINE_ACTIVITIES, variables: { first: ACTIVITIES_PER_PAGE } },
  { name: 'PIPELINE_TOTALS', document: PIPELINE_TOTALS, variables: {} },
  { name: 'PACKAGE_LINES', document: PACKAGE_LINES, variables: { ceremonyId: 'x' } },
  { name: 'AGREEMENT_PROGRESS', document: AGREEMENT_PROGRESS, variables: { id: 'x' } },
];

describe('the operations the downloads run', () => {
  it.each(OPERATIONS)('$name is valid and within the default cost limit', ({ document, variables }) => {
    const parsed = parse(document);
    expect(validate(schema, parsed)).toEqual([]);
    const cost = estimateCost(schema, parsed, parsed.definitions[0] as OperationDefinitionNode, variables, demand);
    expect(cost).toBeLessThanOrEqual(DEFAULT_LIMITS.maxCost);
  });
});
