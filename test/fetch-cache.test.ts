import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHub, type Hub } from '@hub/gateway';
import { createLogger } from '@hub/server';
import { startTestHub, type TestHub } from '@hub/testkit';
import { PIPELINE_PAGE, clientOperation } from '../bench/operations.ts';

/**
 * The gateway's fetch cache (docs/decisions/0041-fetch-cache.md), through the hub on the demo:
 * after a foundation's pledge, the pipeline page that shows the money is asked again of the
 * Jiangsu books alone — its projects and counties are given from what was kept — and shows
 * the pledge, through the replica that took it and through another. The pages of other
 * projects are kept through it whole (docs/decisions/0042-keyed-versions.md).
 */

interface PageProject {
  id: string;
  stage: string;
  pledged: { yuan: string } | null;
}

const STAGES_TAKING_PLEDGES = ['PUBLISHED', 'MATCHED', 'SCHEDULED'];
const MEMBER_OF = 'js-demo-taihu-health';

describe('the fetch cache, all-in-one', () => {
  let hub: TestHub;
  let replica: Hub;
  let member: string;
  let pledges = 0;

  beforeAll(async () => {
    hub = await startTestHub('all-in-one', { RESPONSE_CACHE: 'true', DEMO_DATA: 'true' });
    member = await hub.token('FOUNDATION_MEMBER', MEMBER_OF);
    // The same configuration, its own caches, on the same database.
    replica = await startHub(hub.config, {
      databases: { shaanxi: hub.database, jiangsu: hub.database, pairing: hub.database },
      logger: createLogger({ level: 'warn' }),
    });
  });
  afterAll(async () => {
    await replica?.stop();
    await hub?.stop();
  });

  /** The page through `url`, with the statements it cost. */
  async function page(url: string, after: string | null = null): Promise<{ projects: PageProject[]; endCursor: string; statements: string[] }> {
    const { result, statements } = await hub.countStatements(async () => {
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: PIPELINE_PAGE, variables: { after } }) });
      return (await response.json()) as { data: { pipeline: { nodes: PageProject[]; pageInfo: { endCursor: string } } }; errors?: unknown };
    });
    expect(result.errors).toBeUndefined();
    return { projects: result.data.pipeline.nodes, endCursor: result.data.pipeline.pageInfo.endCursor, statements };
  }

  /** Asked three times: the second asking keeps the page and its fetches, the third costs no statement. */
  async function keptPage(url: string, after: string | null = null): Promise<PageProject[]> {
    await page(url, after);
    await page(url, after);
    const kept = await page(url, after);
    expect(kept.statements).toEqual([]);
    return kept.projects;
  }

  async function pledgeOneFen(projectId: string, through: string): Promise<void> {
    pledges += 1;
    const response = await fetch(through, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${member}` },
      body: JSON.stringify({
        query: `mutation ($input: FundingEntryInput!) { recordPledge(input: $input) { id } }`,
        variables: { input: { projectId, organizationId: MEMBER_OF, amount: { fen: 1 }, idempotencyKey: `fetch-cache-pledge-${pledges}` } },
      }),
    });
    const result = (await response.json()) as { errors?: unknown };
    expect(result.errors).toBeUndefined();
  }

  /** A yuan amount as fen, exactly: "12.34" → 1234n. */
  const fenOf = (yuan: string | undefined) => {
    const [whole, fraction = ''] = (yuan ?? '0').split('.');
    return BigInt(whole!) * 100n + BigInt(fraction.padEnd(2, '0'));
  };

  it('asks the Jiangsu books alone for a kept page after a pledge, and shows the pledge', async () => {
    const before = await keptPage(hub.url);
    const project = before.find((each) => STAGES_TAKING_PLEDGES.includes(each.stage));
    if (!project) throw new Error('the demo\'s first page has a project that takes pledges');

    await pledgeOneFen(project.id, hub.url);
    const after = await page(hub.url);
    const shown = after.projects.find((each) => each.id === project.id);
    expect(fenOf(shown?.pledged?.yuan)).toBe(fenOf(project.pledged?.yuan) + 1n);
    expect(after.statements.length).toBeGreaterThan(0);
    // The page's projects (the pairing) and counties (Shaanxi) were kept through the pledge.
    const others = after.statements.filter((statement) => /"(pairing|shaanxi)"\./.test(statement));
    expect(others, 'no statement to the pairing or Shaanxi').toEqual([]);
  });

  it('shows through one replica at once a pledge taken through the other', async () => {
    const before = await keptPage(replica.url);
    expect(await keptPage(hub.url)).toEqual(before);
    const project = before.find((each) => STAGES_TAKING_PLEDGES.includes(each.stage))!;

    await pledgeOneFen(project.id, hub.url);
    const through = await page(replica.url);
    expect(fenOf(through.projects.find((each) => each.id === project.id)?.pledged?.yuan)).toBe(fenOf(project.pledged?.yuan) + 1n);
    expect(through.statements.filter((statement) => /"(pairing|shaanxi)"\./.test(statement))).toEqual([]);

    await pledgeOneFen(project.id, replica.url);
    const back = await page(hub.url);
    expect(fenOf(back.projects.find((each) => each.id === project.id)?.pledged?.yuan)).toBe(fenOf(project.pledged?.yuan) + 2n);
  });

  it("keeps the pages of other projects through a pledge, through both replicas, and shows it on the project's page", async () => {
    const { endCursor } = await page(replica.url);
    const first = await keptPage(replica.url);
    const second = await keptPage(replica.url, endCursor);
    expect(await keptPage(hub.url, endCursor)).toEqual(second);
    const project = second.find((each) => STAGES_TAKING_PLEDGES.includes(each.stage));
    if (!project) throw new Error("the demo's second page has a project that takes pledges");

    await pledgeOneFen(project.id, hub.url);
    // The first page shows none of the books written: kept whole, through the other replica too.
    expect((await page(replica.url)).statements, 'the page of other projects, kept').toEqual([]);
    const after = await page(replica.url, endCursor);
    expect(fenOf(after.projects.find((each) => each.id === project.id)?.pledged?.yuan)).toBe(fenOf(project.pledged?.yuan) + 1n);
    expect(after.statements.length, "the project's page is read again").toBeGreaterThan(0);
    expect((await page(replica.url)).projects).toEqual(first);
  });

  it("asks no Shaanxi statement of a foundation's kept matches after a pledge, and shows the pledge in what is still sought", async () => {
    const listed = await hub.query<{ jiangsuOrganizations: { id: string; givingProfile: { public: boolean } | null }[] }>(
      `{ jiangsuOrganizations { id givingProfile { public } } }`,
    );
    const foundation = listed.data!.jiangsuOrganizations.find((organization) => organization.givingProfile?.public)!.id;
    const matches = async () => {
      const { result, statements } = await hub.countStatements(() => hub.query<MatchesAnswer>(clientOperation('FoundationMatches'), { id: foundation, first: 50 }));
      expect(result.errors).toBeUndefined();
      return { nodes: result.data!.jiangsuOrganization.matches.nodes, statements };
    };
    await matches();
    await matches();
    const kept = await matches();
    expect(kept.statements).toEqual([]);
    const match = kept.nodes.find((node) => STAGES_TAKING_PLEDGES.includes(node.project.stage));
    if (!match) throw new Error("the demo foundation's matches hold a project that takes pledges");

    await pledgeOneFen(match.project.id, hub.url);
    const after = await matches();
    const shown = after.nodes.find((node) => node.project.id === match.project.id);
    expect(fenOf(shown?.stillSought?.yuan)).toBe(fenOf(match.stillSought?.yuan) - 1n);
    // The needs ranked and their counties (Shaanxi, read by the pairing and by the gateway) were kept through the pledge.
    expect(after.statements.filter((statement) => /"?shaanxi"?\./.test(statement))).toEqual([]);

    // Taken through the other replica: the project's money, kept entity by entity, is read again here.
    await pledgeOneFen(match.project.id, replica.url);
    const afterReplica = await matches();
    expect(fenOf(afterReplica.nodes.find((node) => node.project.id === match.project.id)?.stillSought?.yuan)).toBe(fenOf(match.stillSought?.yuan) - 2n);
  });

  it("keeps an agreement's tracking through a pledge to one of its projects, and shows a commitment at once", async () => {
    const listed = await hub.query<{ pipeline: { nodes: { id: string; stage: string; ceremony: { agreement: { id: string } } | null }[] } }>(
      `{ pipeline(first: 100) { nodes { id stage ceremony { agreement { id } } } } }`,
    );
    const underAgreements = listed.data!.pipeline.nodes.filter((node) => node.ceremony !== null);
    const scheduled = underAgreements.find((node) => node.stage === 'SCHEDULED');
    if (!scheduled) throw new Error('the demo has a project scheduled for a ceremony');
    const agreementId = scheduled.ceremony!.agreement.id;
    const signed = underAgreements.find((node) => ['SIGNED', 'IMPLEMENTING'].includes(node.stage) && node.ceremony!.agreement.id === agreementId);
    if (!signed) throw new Error("the demo has a signed project under the scheduled project's agreement");

    const tracking = async () => {
      const { result, statements } = await hub.countStatements(() =>
        hub.query<{ agreement: { tracking: { term: { committed: { itemized: { fen: string } } } } } }>(
          `query ($id: ID!) { agreement(id: $id) { tracking { term { projectsSigned { actual } committed { itemized { fen } } disbursed { actual { fen } } } } } }`,
          { id: agreementId },
        ),
      );
      expect(result.errors).toBeUndefined();
      return { committed: BigInt(result.data!.agreement.tracking.term.committed.itemized.fen), answer: result.data, statements };
    };
    await tracking();
    await tracking();
    const kept = await tracking();
    expect(kept.statements).toEqual([]);

    // A pledge is a promise the tracking does not count: what was kept of it stays.
    await pledgeOneFen(scheduled.id, hub.url);
    const afterPledge = await tracking();
    expect(afterPledge.statements, 'no statement after a pledge').toEqual([]);
    expect(afterPledge.answer).toEqual(kept.answer);

    // A commitment is counted: the tracking is made again and shows it.
    const office = await hub.token('JIANGSU_OFFICE');
    const committed = await hub.query(
      `mutation ($input: FundingEntryInput!) { recordCommitment(input: $input) { id } }`,
      { input: { projectId: signed.id, organizationId: MEMBER_OF, amount: { fen: 1 }, idempotencyKey: 'fetch-cache-commitment' } },
      { token: office },
    );
    expect(committed.errors).toBeUndefined();
    const afterCommitment = await tracking();
    expect(afterCommitment.statements.length, 'made again after a commitment').toBeGreaterThan(0);
    expect(afterCommitment.committed).toBe(kept.committed + 1n);
  });
});

interface MatchesAnswer {
  jiangsuOrganization: { matches: { nodes: { stillSought: { yuan: string } | null; project: { id: string; stage: string } }[] } };
}
