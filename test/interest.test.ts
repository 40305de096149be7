import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { serviceIdentity, type Identity } from '@hub/common';
import { queryRows } from '@hub/db';
import { LEDGER_TABLES, moveThrough, startTestHub, tableChecksums, tablesOf, type GraphQLResult, type TestHub, type Topology } from '@hub/testkit';
import { jiangsuSubgraph } from '../subgraphs/jiangsu/src/index.ts';
import { interestsOfOrganization, interestsOfProject } from '../subgraphs/jiangsu/src/interest-service.ts';
import { InterestStore, type NewProjectInterest } from '../subgraphs/jiangsu/src/store/interest-store.ts';
import { waitForLockWaits } from './support/row-barrier.ts';

/**
 * A foundation's interest in a project (docs/decisions/0026-matching.md, "Interest"): a word to
 * the offices, not money. Who may say it, at which stage, once per key and once at a time; who
 * reads it; and how a move to MATCHED that names no organization takes the one interested.
 */
const RUIHUA = 'js-ruihua-charity-foundation';
const TONGTAI = 'js-tongtai-charity-foundation';
const DEMO_FOUNDATION = 'js-demo-taihu-health';
/** One entry's limit, one billion yuan (docs/decisions/0012). */
const MAX_ENTRY_FEN = 100_000_000_000;

const EXPRESS = /* GraphQL */ `
  mutation ($input: ExpressInterestInput!) {
    expressInterest(input: $input) {
      id note amountInMind { fen yuan } withdrawnAt expressedAt provenance { kind }
      project { id } organization { id nameZh }
    }
  }
`;
const WITHDRAW = /* GraphQL */ `
  mutation ($projectId: ID!, $organizationId: ID!) {
    withdrawInterest(projectId: $projectId, organizationId: $organizationId) { id withdrawnAt }
  }
`;
const PROJECT_INTERESTS = /* GraphQL */ `
  query ($id: ID!, $all: Boolean) { project(id: $id) { interests(includeWithdrawn: $all) { id organization { id } withdrawnAt } } }
`;
const ORGANIZATION_INTERESTS = /* GraphQL */ `
  query ($id: ID!, $all: Boolean) { jiangsuOrganization(id: $id) { interests(includeWithdrawn: $all) { id project { id } } } }
`;
const MOVE = /* GraphQL */ `
  mutation ($input: MoveProjectInput!) { moveProject(input: $input) { stage pipelineVersion history { to organization { id } } } }
`;

interface Expression {
  organizationId?: string;
  note?: string;
  amountInMindFen?: number;
  idempotencyKey?: string;
}

describe.each<Topology>(['all-in-one', 'distributed'])('interest in a project, %s', (topology) => {
  let hub: TestHub;
  let tokens: { ruihua: string; tongtai: string; jiangsu: string; shaanxi: string; stranger: string };
  let serial = 0;
  const nextKey = () => `interest-${topology}-${(serial += 1).toString().padStart(4, '0')}`;

  beforeAll(async () => {
    hub = await startTestHub(topology, { RATE_LIMIT_PER_ADDRESS: '100000', RATE_LIMIT_PER_IDENTITY: '100000' });
    tokens = {
      ruihua: await hub.token('FOUNDATION_MEMBER', RUIHUA),
      tongtai: await hub.token('FOUNDATION_MEMBER', TONGTAI),
      jiangsu: await hub.token('JIANGSU_OFFICE'),
      shaanxi: await hub.token('SHAANXI_OFFICE'),
      // A member of an organization Jiangsu has no record of.
      stranger: await hub.token('FOUNDATION_MEMBER', 'js-no-such-foundation'),
    };
  });
  afterAll(() => hub?.stop());

  const interestRows = () => tableChecksums(hub.database.db, ['jiangsu.project_interest']);

  async function raise(titleZh = '白河县小学图书室', amountFen = 1_000_000): Promise<string> {
    const result = await hub.query(
      `mutation ($t: String!, $a: MoneyInput) { raiseProjectNeed(input: { countyCode: "610929", titleZh: $t, field: EDUCATION, amountSought: $a }) { id } }`,
      { t: titleZh, a: { fen: amountFen } },
      { token: tokens.shaanxi },
    );
    expect(result.errors).toBeUndefined();
    return result.data!.raiseProjectNeed.id;
  }

  async function projectAt(stages: string[], amountFen?: number): Promise<string> {
    const id = await raise(undefined, amountFen);
    await moveThrough(hub, id, stages, tokens.shaanxi);
    return id;
  }

  const express = (token: string | undefined, projectId: string, expression: Expression = {}) =>
    hub.query(
      EXPRESS,
      {
        input: {
          projectId,
          organizationId: expression.organizationId ?? RUIHUA,
          note: expression.note ?? '我们资助乡村学校图书室，想了解这个项目。',
          amountInMind: expression.amountInMindFen === undefined ? null : { fen: expression.amountInMindFen },
          idempotencyKey: expression.idempotencyKey ?? nextKey(),
        },
      },
      { token },
    );

  const withdraw = (token: string | undefined, projectId: string, organizationId = RUIHUA) =>
    hub.query(WITHDRAW, { projectId, organizationId }, { token });

  async function interestsSeenBy(token: string | undefined, projectId: string, all = false) {
    const result = await hub.query(PROJECT_INTERESTS, { id: projectId, all }, { token });
    expect(result.errors).toBeUndefined();
    return result.data!.project.interests as { id: string; organization: { id: string }; withdrawnAt: string | null }[];
  }

  const organizationsSeenBy = async (token: string | undefined, projectId: string, all = false) =>
    (await interestsSeenBy(token, projectId, all)).map((interest) => interest.organization.id).sort();

  const codeOf = (result: GraphQLResult) => result.errors?.[0]?.extensions?.code;

  /** Moves a project to MATCHED naming no organization, from the version it is at. */
  async function matchNamingNone(projectId: string) {
    const now = await hub.query(`query ($id: ID!) { project(id: $id) { pipelineVersion } }`, { id: projectId }, { token: tokens.jiangsu });
    return hub.query(MOVE, { input: { projectId, to: 'MATCHED', expectedVersion: now.data!.project.pipelineVersion } }, { token: tokens.jiangsu });
  }

  it('records an interest with and without an amount in mind, as entered data, the note trimmed', async () => {
    const id = await projectAt(['PUBLISHED']);
    const withAmount = await express(tokens.ruihua, id, { note: '  想资助图书室的书架和图书。 \n', amountInMindFen: 500_000 });
    expect(withAmount.errors).toBeUndefined();
    expect(withAmount.data!.expressInterest).toMatchObject({
      note: '想资助图书室的书架和图书。',
      amountInMind: { fen: 500_000, yuan: '5000.00' },
      withdrawnAt: null,
      provenance: { kind: 'ENTERED' },
      project: { id },
      organization: { id: RUIHUA, nameZh: '江苏省瑞华慈善基金会' },
    });
    const withoutAmount = await express(tokens.tongtai, id, { organizationId: TONGTAI });
    expect(withoutAmount.errors).toBeUndefined();
    expect(withoutAmount.data!.expressInterest).toMatchObject({ amountInMind: null, organization: { id: TONGTAI } });

    // A MATCHED project is still open for funding, and so for interest.
    const matched = await projectAt(['PUBLISHED', 'MATCHED']);
    expect(codeOf(await express(tokens.tongtai, matched, { organizationId: TONGTAI }))).toBeUndefined();
  });

  it('shows every interest to the two offices, its own to a member, none to the public', async () => {
    const id = await projectAt(['PUBLISHED']);
    const ruihua = (await express(tokens.ruihua, id)).data!.expressInterest.id;
    const tongtai = (await express(tokens.tongtai, id, { organizationId: TONGTAI })).data!.expressInterest.id;

    expect(await organizationsSeenBy(tokens.jiangsu, id)).toEqual([RUIHUA, TONGTAI]);
    expect(await organizationsSeenBy(tokens.shaanxi, id)).toEqual([RUIHUA, TONGTAI]);
    expect((await interestsSeenBy(tokens.ruihua, id)).map((interest) => interest.id)).toEqual([ruihua]);
    expect((await interestsSeenBy(tokens.tongtai, id)).map((interest) => interest.id)).toEqual([tongtai]);
    expect(await interestsSeenBy(tokens.stranger, id)).toEqual([]);
    expect(await interestsSeenBy(undefined, id)).toEqual([]);

    // An organization's own list: its members and the offices; null to anyone else.
    const listOf = async (token: string | undefined, organizationId: string) => {
      const result = await hub.query(ORGANIZATION_INTERESTS, { id: organizationId }, { token });
      expect(result.errors).toBeUndefined();
      return result.data!.jiangsuOrganization.interests as { id: string; project: { id: string } }[] | null;
    };
    expect((await listOf(tokens.ruihua, RUIHUA))!.map((interest) => interest.id)).toContain(ruihua);
    expect((await listOf(tokens.jiangsu, RUIHUA))!.map((interest) => interest.id)).toContain(ruihua);
    expect((await listOf(tokens.shaanxi, TONGTAI))!.map((interest) => interest.id)).toContain(tongtai);
    expect(await listOf(tokens.tongtai, RUIHUA)).toBeNull();
    expect(await listOf(undefined, RUIHUA)).toBeNull();
  });

  // The hub's services read what the offices read (the pairing offers the interested
  // organization when a project is matched): one rule with the private giving profile's.
  it("shows the hub's services every interest of a project and an organization's list, as the offices see them", async () => {
    const id = await projectAt(['PUBLISHED']);
    const ruihua = (await express(tokens.ruihua, id)).data!.expressInterest.id;
    const tongtai = (await express(tokens.tongtai, id, { organizationId: TONGTAI })).data!.expressInterest.id;
    const contextOf = (identity: Identity) =>
      jiangsuSubgraph.createContext(hub.database.db, identity, { query: () => Promise.reject(new Error('reading interests asks no peer')) });
    for (const service of [serviceIdentity('pairing'), serviceIdentity('shaanxi')]) {
      const ofProject = await interestsOfProject(contextOf(service), id, false);
      expect(ofProject.map((interest) => interest.id).sort()).toEqual([ruihua, tongtai].sort());
      const ofOrganization = await interestsOfOrganization(contextOf(service), TONGTAI, false);
      expect(ofOrganization?.map((interest) => interest.id)).toContain(tongtai);
    }
    // The public, through the same functions: nothing of either.
    const publicContext = contextOf({ role: 'PUBLIC', subject: null, organizationId: null });
    expect(await interestsOfProject(publicContext, id, false)).toEqual([]);
    expect(await interestsOfOrganization(publicContext, TONGTAI, false)).toBeNull();
  });

  it('refuses a second standing interest, and takes a new one once the first is withdrawn', async () => {
    const id = await projectAt(['PUBLISHED']);
    const first = await express(tokens.ruihua, id);
    expect(first.errors).toBeUndefined();
    const before = await interestRows();
    const second = await express(tokens.ruihua, id, { note: '再说一次' });
    expect(second.errors?.[0]?.extensions).toMatchObject({ code: 'INTEREST_ALREADY_EXPRESSED', projectId: id, organizationId: RUIHUA });
    expect(await interestRows()).toEqual(before);

    expect(codeOf(await withdraw(tokens.tongtai, id))).toBe('FORBIDDEN');
    expect(codeOf(await withdraw(undefined, id))).toBe('UNAUTHENTICATED');
    expect(codeOf(await withdraw(tokens.jiangsu, id))).toBe('FORBIDDEN');
    expect(await interestRows()).toEqual(before);

    const withdrawn = await withdraw(tokens.ruihua, id);
    expect(withdrawn.errors).toBeUndefined();
    expect(withdrawn.data!.withdrawInterest.id).toBe(first.data!.expressInterest.id);
    expect(withdrawn.data!.withdrawInterest.withdrawnAt).not.toBeNull();
    expect(await interestsSeenBy(tokens.jiangsu, id)).toEqual([]);
    expect(codeOf(await withdraw(tokens.ruihua, id))).toBe('NOT_FOUND');

    const again = await express(tokens.ruihua, id, { note: '重新表达意向' });
    expect(again.errors).toBeUndefined();
    expect(again.data!.expressInterest.id).not.toBe(first.data!.expressInterest.id);
    expect((await interestsSeenBy(tokens.jiangsu, id)).map((interest) => interest.id)).toEqual([again.data!.expressInterest.id]);
    const everyOne = await interestsSeenBy(tokens.ruihua, id, true);
    expect(everyOne.map((interest) => interest.withdrawnAt === null).sort()).toEqual([false, true]);
  });

  it('returns the first interest for a retry with its key and writes nothing; the key for another note is refused', async () => {
    const id = await projectAt(['PUBLISHED']);
    const idempotencyKey = nextKey();
    const first = await express(tokens.ruihua, id, { idempotencyKey, amountInMindFen: 80_000 });
    expect(first.errors).toBeUndefined();
    const before = await interestRows();
    const retry = await express(tokens.ruihua, id, { idempotencyKey, amountInMindFen: 80_000 });
    expect(retry.errors).toBeUndefined();
    expect(retry.data!.expressInterest.id).toBe(first.data!.expressInterest.id);
    expect(await interestRows()).toEqual(before);

    const reused = await express(tokens.ruihua, id, { idempotencyKey, amountInMindFen: 80_000, note: '另一段话' });
    expect(reused.errors?.[0]?.extensions).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', field: 'input.idempotencyKey' });
    // The key is the organization's own: another organization's same key is a request of its own.
    const tongtai = await express(tokens.tongtai, id, { organizationId: TONGTAI, idempotencyKey });
    expect(tongtai.errors).toBeUndefined();
    expect(tongtai.data!.expressInterest.id).not.toBe(first.data!.expressInterest.id);
  });

  it('answers a retry with the interest made the first time, whatever the project and the interest have done since', async () => {
    const id = await projectAt(['PUBLISHED']);
    const idempotencyKey = nextKey();
    const first = await express(tokens.ruihua, id, { idempotencyKey });
    expect(first.errors).toBeUndefined();
    expect(codeOf(await withdraw(tokens.ruihua, id))).toBeUndefined();
    await moveThrough(hub, id, ['MATCHED', 'SCHEDULED'], tokens.jiangsu);
    const before = await interestRows();
    // The project no longer takes interest, and the first one is withdrawn: the retry is still the first one.
    const retry = await express(tokens.ruihua, id, { idempotencyKey });
    expect(retry.errors).toBeUndefined();
    expect(retry.data!.expressInterest.id).toBe(first.data!.expressInterest.id);
    expect(retry.data!.expressInterest.withdrawnAt).not.toBeNull();
    expect(await interestRows()).toEqual(before);
  });

  it('refuses the wrong caller, a draft or unknown project, a project past MATCHED and bad input, writing nothing', async () => {
    const open = await projectAt(['PUBLISHED']);
    const draft = await raise('白河县草稿项目');
    const scheduled = await projectAt(['PUBLISHED', 'MATCHED', 'SCHEDULED']);
    const before = await interestRows();
    const attempts: [GraphQLResult, string][] = [
      [await express(tokens.tongtai, open), 'FORBIDDEN'],
      [await express(undefined, open), 'UNAUTHENTICATED'],
      [await express(tokens.jiangsu, open), 'FORBIDDEN'],
      [await express(tokens.shaanxi, open), 'FORBIDDEN'],
      [await express(tokens.ruihua, draft), 'NOT_FOUND'],
      [await express(tokens.ruihua, '00000000-0000-4000-8000-000000000000'), 'NOT_FOUND'],
      [await express(tokens.ruihua, 'not-a-project'), 'NOT_FOUND'],
      [await express(tokens.stranger, open, { organizationId: 'js-no-such-foundation' }), 'NOT_FOUND'],
      [await express(tokens.ruihua, scheduled), 'PROJECT_NOT_OPEN_FOR_FUNDING'],
      [await express(tokens.ruihua, open, { note: '   ' }), 'BAD_USER_INPUT'],
      [await express(tokens.ruihua, open, { note: '书'.repeat(1001) }), 'BAD_USER_INPUT'],
      [await express(tokens.ruihua, open, { amountInMindFen: 0 }), 'BAD_USER_INPUT'],
      [await express(tokens.ruihua, open, { amountInMindFen: MAX_ENTRY_FEN + 1 }), 'AMOUNT_LIMIT_EXCEEDED'],
      [await express(tokens.ruihua, open, { idempotencyKey: 'short' }), 'BAD_USER_INPUT'],
      [await express(tokens.ruihua, open, { idempotencyKey: 'k'.repeat(101) }), 'BAD_USER_INPUT'],
    ];
    for (const [result, code] of attempts) expect(codeOf(result)).toBe(code);
    const stage = attempts[8]![0].errors![0]!;
    expect(stage.extensions).toMatchObject({ stage: 'SCHEDULED', allowedStages: ['PUBLISHED', 'MATCHED'] });
    expect(stage.message).toContain('SCHEDULED');
    expect(attempts[9]![0].errors![0]!.extensions).toMatchObject({ field: 'input.note' });
    expect(attempts[11]![0].errors![0]!.extensions).toMatchObject({ field: 'input.amountInMind.fen' });
    expect(await interestRows()).toEqual(before);
    // The largest amount one entry may hold is accepted, and 1000 characters of note.
    expect(codeOf(await express(tokens.ruihua, open, { note: '书'.repeat(1000), amountInMindFen: MAX_ENTRY_FEN }))).toBeUndefined();
  });

  it('leaves pledged money, the books and the funding gap as they were', async () => {
    const id = await projectAt(['PUBLISHED'], 1_000_000);
    const pledge = await hub.query(
      `mutation ($input: FundingEntryInput!) { recordPledge(input: $input) { id } }`,
      { input: { projectId: id, organizationId: RUIHUA, amount: { fen: 300_000 }, idempotencyKey: nextKey() } },
      { token: tokens.ruihua },
    );
    expect(pledge.errors).toBeUndefined();
    const money = async () => {
      const result = await hub.query(
        `query ($id: ID!) { project(id: $id) { pledged { fen } committed { fen } fundingGap { fen } funding { organization { id } pledged { fen } } } }`,
        { id },
      );
      expect(result.errors).toBeUndefined();
      return result.data!.project;
    };
    const before = await money();
    expect(before).toEqual({ pledged: { fen: 300_000 }, committed: { fen: 0 }, fundingGap: { fen: 1_000_000 }, funding: [{ organization: { id: RUIHUA }, pledged: { fen: 300_000 } }] });
    const books = await tableChecksums(hub.database.db, LEDGER_TABLES);

    expect(codeOf(await express(tokens.tongtai, id, { organizationId: TONGTAI, amountInMindFen: 700_000 }))).toBeUndefined();
    expect(await money()).toEqual(before);
    expect(await tableChecksums(hub.database.db, LEDGER_TABLES)).toEqual(books);
  });

  it('matches a project named with no organization to the one foundation whose interest stands', async () => {
    const id = await projectAt(['PUBLISHED']);
    expect(codeOf(await express(tokens.ruihua, id))).toBeUndefined();
    // A withdrawn interest is not offered.
    expect(codeOf(await express(tokens.tongtai, id, { organizationId: TONGTAI }))).toBeUndefined();
    expect(codeOf(await withdraw(tokens.tongtai, id, TONGTAI))).toBeUndefined();

    const moved = await matchNamingNone(id);
    expect(moved.errors).toBeUndefined();
    expect(moved.data!.moveProject.stage).toBe('MATCHED');
    expect(moved.data!.moveProject.history.at(-1)).toEqual({ to: 'MATCHED', organization: { id: RUIHUA } });
  });

  it('refuses to match a project named with no organization when two foundations are interested, listing both, and records nothing', async () => {
    const id = await projectAt(['PUBLISHED']);
    expect(codeOf(await express(tokens.tongtai, id, { organizationId: TONGTAI }))).toBeUndefined();
    expect(codeOf(await express(tokens.ruihua, id))).toBeUndefined();
    const pairingTables = await tablesOf(hub.database.db, ['pairing']);
    const before = await tableChecksums(hub.database.db, pairingTables);

    const refused = await matchNamingNone(id);
    expect(refused.errors).toHaveLength(1);
    expect(refused.errors![0]!.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'input.organizationId',
      interestedOrganizationIds: [RUIHUA, TONGTAI],
    });
    expect(refused.errors![0]!.message).toContain(`${RUIHUA}, ${TONGTAI}`);
    expect(await tableChecksums(hub.database.db, pairingTables)).toEqual(before);

    // Naming one still matches it with that one.
    const named = await hub.query(MOVE, { input: { projectId: id, to: 'MATCHED', expectedVersion: 1, organizationId: TONGTAI } }, { token: tokens.jiangsu });
    expect(named.errors).toBeUndefined();
    expect(named.data!.moveProject.history.at(-1)).toEqual({ to: 'MATCHED', organization: { id: TONGTAI } });
  });

  it('refuses to match a project named with no organization when none is interested, and records nothing', async () => {
    const id = await projectAt(['PUBLISHED']);
    const pairingTables = await tablesOf(hub.database.db, ['pairing']);
    const before = await tableChecksums(hub.database.db, pairingTables);
    const refused = await matchNamingNone(id);
    expect(refused.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.organizationId', interestedOrganizationIds: [] });
    expect(refused.errors![0]!.message).toMatch(/no Jiangsu organization has a standing interest/);
    expect(await tableChecksums(hub.database.db, pairingTables)).toEqual(before);
  });

  it.runIf(topology === 'distributed')('refuses a match named with no organization while Jiangsu is down, moving nothing', async () => {
    const id = await projectAt(['PUBLISHED']);
    expect(codeOf(await express(tokens.ruihua, id))).toBeUndefined();
    const pairingTables = await tablesOf(hub.database.db, ['pairing']);
    const before = await tableChecksums(hub.database.db, pairingTables);
    await hub.stopSubgraph('jiangsu');
    let refused: GraphQLResult;
    try {
      refused = await hub.query(MOVE.replace(' history { to organization { id } }', ''), { input: { projectId: id, to: 'MATCHED', expectedVersion: 1 } }, { token: tokens.jiangsu });
    } finally {
      await hub.restartSubgraph('jiangsu');
    }
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'SUBGRAPH_UNAVAILABLE', subgraph: 'jiangsu', changeMade: 'NO' });
    expect(await tableChecksums(hub.database.db, pairingTables)).toEqual(before);
  });

  it('reads the interests of a page of projects with one statement, however many projects', async () => {
    const ids = [await projectAt(['PUBLISHED']), await projectAt(['PUBLISHED']), await projectAt(['PUBLISHED'])];
    for (const id of ids) expect(codeOf(await express(tokens.ruihua, id))).toBeUndefined();
    const reads = async (first: number) => {
      const { result, statements } = await hub.countStatements(() =>
        hub.query(`query ($first: Int) { pipeline(first: $first) { nodes { id interests { id organization { nameZh } } } } }`, { first }, { token: tokens.jiangsu }),
      );
      expect(result.errors).toBeUndefined();
      return statements.filter((statement) => /from "jiangsu"\."project_interest"/.test(statement));
    };
    expect(await reads(1)).toHaveLength(1);
    expect(await reads(50)).toHaveLength(1);
  });

  // The store's write alone, with no check in front of it: the two unique indexes decide, each
  // mapped by its name, as when two requests pass every check at once.
  it("maps each unique index the store's write meets to its answer", async () => {
    const store = new InterestStore(hub.database.db);
    const [projectId, otherProjectId] = [randomUUID(), randomUUID()];
    const interest = (fields: Partial<NewProjectInterest> = {}): NewProjectInterest => ({
      projectId,
      organizationId: RUIHUA,
      note: '想了解',
      amountInMindFen: null,
      idempotencyKey: 'store-key-1',
      requestFingerprint: 'fingerprint-1',
      expressedByRole: 'FOUNDATION_MEMBER',
      expressedBySubject: null,
      provenanceKind: 'ENTERED',
      ...fields,
    });
    const first = await store.insert(interest());
    expect(first).toMatchObject({ type: 'expressed' });
    const firstId = first.type === 'expressed' ? first.interest.id : null;
    expect(firstId).toEqual(expect.any(String));
    // The same request again meets both indexes: a retry, answered with the first interest.
    expect(await store.insert(interest())).toMatchObject({ type: 'expressed', interest: { id: firstId } });
    // Another key while the first stands: the standing index alone.
    expect(await store.insert(interest({ idempotencyKey: 'store-key-2', requestFingerprint: 'fingerprint-2' }))).toEqual({ type: 'already-expressed' });
    // The key for another project: the key index alone, and not the same request.
    expect(await store.insert(interest({ projectId: otherProjectId, requestFingerprint: 'fingerprint-3' }))).toEqual({ type: 'key-reused' });
    // Withdrawn, the same request meets the key index alone: still a retry.
    expect(await store.withdraw(projectId, RUIHUA, null)).toMatchObject({ type: 'withdrawn', interest: { id: firstId } });
    expect(await store.insert(interest())).toMatchObject({ type: 'expressed', interest: { id: firstId } });
    expect(await store.withdraw(projectId, RUIHUA, null)).toEqual({ type: 'not-standing' });
    const rows = await queryRows<{ n: number }>(hub.database.db, sql`select count(*)::int as n from jiangsu.project_interest where project_id in (${projectId}, ${otherProjectId})`);
    expect(rows[0]!.n).toBe(1);
  });

  // On a Postgres server: a SHARE lock on the table lets every request read (the key lookup,
  // the organization, the peers' answers) and stops it at its insert. Only the partial unique
  // index then decides between two interests of one organization in one project.
  it.runIf(process.env.TEST_DATABASE_URL)(
    'lets one of two expressions racing past every check stand; the other is INTEREST_ALREADY_EXPRESSED',
    async () => {
      const id = await projectAt(['PUBLISHED']);
      const race = <T>(work: () => Promise<T>) => raceAtInsert(hub, 2, work);
      const both = await race(() => Promise.all([express(tokens.ruihua, id, { note: '第一份' }), express(tokens.ruihua, id, { note: '第二份' })]));
      expect(both.map((result) => codeOf(result) ?? 'expressed').sort()).toEqual(['INTEREST_ALREADY_EXPRESSED', 'expressed']);
      const standing = await queryRows<{ n: number }>(
        hub.database.db,
        sql`select count(*)::int as n from jiangsu.project_interest where project_id = ${id} and withdrawn_at is null`,
      );
      expect(standing[0]!.n).toBe(1);

      // Two copies of one request: whichever index stops the second, it gets the first's interest.
      expect(codeOf(await withdraw(tokens.ruihua, id))).toBeUndefined();
      const idempotencyKey = nextKey();
      const copies = await race(() => Promise.all([express(tokens.ruihua, id, { idempotencyKey }), express(tokens.ruihua, id, { idempotencyKey })]));
      expect(copies.map(codeOf)).toEqual([undefined, undefined]);
      expect(copies[0]!.data!.expressInterest.id).toBe(copies[1]!.data!.expressInterest.id);
    },
  );
});

/** Runs `race` while the interest table is held in SHARE mode, until `writers` inserts wait for it. */
async function raceAtInsert<T>(hub: TestHub, writers: number, race: () => Promise<T>): Promise<T> {
  let racing: Promise<T> | undefined;
  await hub.database.db.transaction(async (holder) => {
    await holder.execute(sql`lock table jiangsu.project_interest in share mode`);
    racing = race();
    racing.catch(() => {});
    await waitForLockWaits(hub, ['insert into "jiangsu"."project_interest"%'], writers, 'interests');
  });
  return racing!;
}

describe('interest keeps demo data and real records apart', () => {
  let hub: TestHub;
  let tokens: { ruihua: string; demoMember: string; shaanxi: string };
  let serial = 0;
  const nextKey = () => `interest-demo-${(serial += 1).toString().padStart(4, '0')}`;

  beforeAll(async () => {
    hub = await startTestHub('all-in-one', { DEMO_DATA: 'true' });
    tokens = {
      ruihua: await hub.token('FOUNDATION_MEMBER', RUIHUA),
      demoMember: await hub.token('FOUNDATION_MEMBER', DEMO_FOUNDATION),
      shaanxi: await hub.token('SHAANXI_OFFICE'),
    };
  });
  afterAll(() => hub?.stop());

  const express = (token: string, projectId: string, organizationId: string) =>
    hub.query(`mutation ($input: ExpressInterestInput!) { expressInterest(input: $input) { id provenance { kind } } }`, {
      input: { projectId, organizationId, note: '想了解', idempotencyKey: nextKey() },
    }, { token });

  it('refuses a real foundation on a demo project and a demo foundation on a real one; demo on demo is demo', async () => {
    const demo = await hub.query(`{ pipeline(first: 1, filter: { stages: [PUBLISHED], provenance: [SYNTHETIC_DEMO] }) { nodes { id } } }`);
    const demoProject = demo.data!.pipeline.nodes[0].id as string;
    const raised = await hub.query(
      `mutation { raiseProjectNeed(input: { countyCode: "610929", titleZh: "白河县村卫生室", field: MEDICAL_AID, amountSought: { fen: 1000000 } }) { id } }`,
      {},
      { token: tokens.shaanxi },
    );
    const realProject = raised.data!.raiseProjectNeed.id as string;
    await moveThrough(hub, realProject, ['PUBLISHED'], tokens.shaanxi);
    const before = await tableChecksums(hub.database.db, ['jiangsu.project_interest']);

    for (const refused of [await express(tokens.ruihua, demoProject, RUIHUA), await express(tokens.demoMember, realProject, DEMO_FOUNDATION)]) {
      expect(refused.errors?.[0]?.extensions?.code).toBe('PROVENANCE_MISMATCH');
      expect(refused.errors?.[0]?.message).toContain('an interest between them is not recorded');
    }
    expect(await tableChecksums(hub.database.db, ['jiangsu.project_interest'])).toEqual(before);

    const demoOnDemo = await express(tokens.demoMember, demoProject, DEMO_FOUNDATION);
    expect(demoOnDemo.errors).toBeUndefined();
    expect(demoOnDemo.data!.expressInterest.provenance).toEqual({ kind: 'SYNTHETIC_DEMO' });
  });
});
