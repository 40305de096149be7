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

function clientOperation(name: string): string {
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
  /** `after` of every page of the pipeline (null for the first). */
  pipelineCursors: (string | null)[];
}

export type Send = (query: string, variables: Record<string, unknown>) => Promise<{ data?: any; errors?: unknown[] }>;

/**
 * Walks the pipeline page by page, as a client would, to learn which counties and projects the
 * data has: the operations then vary over all of them, whatever data set is plugged in.
 */
export async function readDataShape(send: Send): Promise<DataShape> {
  const counties = new Set<string>();
  const projectIds: string[] = [];
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
      counties.add(node.county.code);
    }
    if (!page.pageInfo.hasNextPage) break;
    after = page.pageInfo.endCursor;
  }
  return { projectCount, countyCodes: [...counties].sort(), projectIds, pipelineCursors };
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
      about: 'gateway/operations/FoundationMatches.graphql, js-demo-jiangnan-education',
      query: clientOperation('FoundationMatches'),
      variables: [{ id: 'js-demo-jiangnan-education' }],
    },
    AgreementTracking: {
      name: 'AgreementTracking',
      about: 'gateway/operations/AgreementTracking.graphql, demo-agreement',
      query: clientOperation('AgreementTracking'),
      variables: [{ id: 'demo-agreement' }],
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
