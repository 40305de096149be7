import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPOSITORY_ROOT } from './processes.ts';

/** One operation the bench drives: a document and the variables its requests cycle through. */
export interface Operation {
  name: string;
  /** What it stands for, printed beside the figures. */
  about: string;
  query: string;
  /** One entry per distinct request; requests go round these in order across all connections. */
  variables: Record<string, unknown>[];
}

/** A client operation as the console and the bench send it (gateway/operations). */
export function clientOperation(name: string): string {
  return readFileSync(join(REPOSITORY_ROOT, 'gateway', 'operations', `${name}.graphql`), 'utf8');
}

/** A page of the signed-project pipeline as a list screen shows it: 50 projects, their counties and money. */
export const PIPELINE_PAGE = /* GraphQL */ `
  query PipelinePage($after: String) {
    pipeline(first: 50, after: $after) {
      totalCount
      pageInfo { endCursor hasNextPage }
      nodes {
        id
        titleZh
        stage
        county { code nameZh prefecture { nameZh } pairedJiangsuCity { nameZh } }
        amountSought { yuan }
        pledged { yuan }
        committed { yuan }
        disbursed { yuan }
        received { yuan }
        fundingGap { yuan }
      }
    }
  }
`;

/** One project by id, with a field from each subgraph. */
export const PROJECT_LOOKUP = /* GraphQL */ `
  query ProjectLookup($id: ID!) {
    project(id: $id) {
      id
      titleZh
      field
      stage
      ceremony { heldOn }
      county { nameZh prefecture { nameZh } }
      amountSought { yuan }
      pledged { yuan }
      committed { yuan }
      received { yuan }
      history { from to at }
    }
  }
`;

export const OPERATION_NAMES = ['CountyPage', 'PipelinePage', 'PipelineFunnel', 'FoundationMatches', 'AgreementTracking', 'ProjectLookup'] as const;
export type OperationName = (typeof OPERATION_NAMES)[number];

/** What the data holds that the operations' variables range over, read through a running system. */
export interface DataShape {
  projectCount: number;
  countyCodes: string[];
  projectIds: string[];
  /** Projects that take pledges (published, matched or scheduled), for the write mix. */
  pledgeableProjectIds: string[];
  /** `after` of every page of the pipeline (null for the first). */
  pipelineCursors: (string | null)[];
  /** A Jiangsu organization whose giving profile an anonymous caller sees, for FoundationMatches. */
  foundationId: string;
  /** The data set's own agreement (the first synthetic one, else the first), for AgreementTracking. */
  agreementId: string;
}

/** The organizations and agreements the single-id operations choose from. */
const CHOICES = /* GraphQL */ `
  query BenchChoices {
    jiangsuOrganizations { id givingProfile { organizationId } }
    synthetic: agreements(provenance: [SYNTHETIC_DEMO]) { id }
    agreements { id }
  }
`;

/** The stages in which a foundation may pledge (recordPledge). */
const PLEDGEABLE = ['PUBLISHED', 'MATCHED', 'SCHEDULED'];

export type Send = (query: string, variables: Record<string, unknown>) => Promise<{ data?: any; errors?: unknown[] }>;

/**
 * Walks the pipeline page by page, as a client would, to learn which counties and projects the
 * data has, and picks a foundation with a profile and an agreement: the operations then range
 * over what the data holds, whatever data set is plugged in (the demo or a generated one).
 */
export async function readDataShape(send: Send): Promise<DataShape> {
  const counties = new Set<string>();
  const projectIds: string[] = [];
  const pledgeableProjectIds: string[] = [];
  const pipelineCursors: (string | null)[] = [];
  let after: string | null = null;
  let projectCount = 0;
  for (;;) {
    pipelineCursors.push(after);
    const result = await send(PIPELINE_PAGE, { after });
    if (result.errors || !result.data) throw new Error(`reading the pipeline failed: ${JSON.stringify(result.errors ?? result)}`);
    const page = result.data.pipeline;
    projectCount = page.totalCount;
    for (const node of page.nodes) {
      projectIds.push(node.id);
      if (PLEDGEABLE.includes(node.stage)) pledgeableProjectIds.push(node.id);
      counties.add(node.county.code);
    }
    if (!page.pageInfo.hasNextPage) break;
    after = page.pageInfo.endCursor;
  }
  const choices = await send(CHOICES, {});
  if (choices.errors || !choices.data) throw new Error(`reading the organizations and agreements failed: ${JSON.stringify(choices.errors ?? choices)}`);
  const { jiangsuOrganizations, synthetic, agreements } = choices.data as {
    jiangsuOrganizations: { id: string; givingProfile: { organizationId: string } | null }[];
    synthetic: { id: string }[];
    agreements: { id: string }[];
  };
  const foundationId = jiangsuOrganizations.find((organization) => organization.givingProfile !== null)?.id;
  const agreementId = (synthetic[0] ?? agreements[0])?.id;
  if (!foundationId) throw new Error('the data has no Jiangsu organization with a giving profile an anonymous caller sees: FoundationMatches needs one');
  if (!agreementId) throw new Error('the data has no agreement: AgreementTracking needs one');
  if (pledgeableProjectIds.length === 0) throw new Error('the data has no published, matched or scheduled project: the write mix pledges to those');
  return { projectCount, countyCodes: [...counties].sort(), projectIds, pledgeableProjectIds, pipelineCursors, foundationId, agreementId };
}

export function benchOperations(shape: DataShape): Operation[] {
  const all: Record<OperationName, Operation> = {
    CountyPage: {
      name: 'CountyPage',
      about: `gateway/operations/CountyPage.graphql, over the ${shape.countyCodes.length} counties with projects`,
      query: clientOperation('CountyPage'),
      variables: shape.countyCodes.map((code) => ({ code })),
    },
    PipelinePage: {
      name: 'PipelinePage',
      about: `50 projects with counties and money (bench/operations.ts), over the ${shape.pipelineCursors.length} pages`,
      query: PIPELINE_PAGE,
      variables: shape.pipelineCursors.map((after) => ({ after })),
    },
    PipelineFunnel: {
      name: 'PipelineFunnel',
      about: 'gateway/operations/PipelineFunnel.graphql',
      query: clientOperation('PipelineFunnel'),
      variables: [{}],
    },
    FoundationMatches: {
      name: 'FoundationMatches',
      about: `gateway/operations/FoundationMatches.graphql, ${shape.foundationId}`,
      query: clientOperation('FoundationMatches'),
      variables: [{ id: shape.foundationId }],
    },
    AgreementTracking: {
      name: 'AgreementTracking',
      about: `gateway/operations/AgreementTracking.graphql, ${shape.agreementId}`,
      query: clientOperation('AgreementTracking'),
      variables: [{ id: shape.agreementId }],
    },
    ProjectLookup: {
      name: 'ProjectLookup',
      about: `one project with a field of each subgraph (bench/operations.ts), over the ${shape.projectIds.length} projects`,
      query: PROJECT_LOOKUP,
      variables: shape.projectIds.map((id) => ({ id })),
    },
  };
  return OPERATION_NAMES.map((name) => all[name]);
}
