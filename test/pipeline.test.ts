import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { queryRows } from '@hub/db';
import { startTestHub, type TestHub } from '@hub/testkit';
import { PipelineStore, type Transition } from '../subgraphs/pairing/src/store/pipeline-store.ts';
import { raceAtRow } from './support/row-barrier.ts';

/** The signed-project pipeline: allowed moves by allowed roles, an immutable history, optimistic versions. */
type Caller = 'public' | 'member' | 'shaanxiOffice' | 'jiangsuOffice';
const CALLERS: Caller[] = ['public', 'member', 'shaanxiOffice', 'jiangsuOffice'];

/** The stages of DESIGN.md, in order, then the two side stages. */
const STAGES = [
  'PROPOSED', 'PUBLISHED', 'MATCHED', 'SCHEDULED', 'SIGNED', 'IMPLEMENTING', 'COMPLETED', 'EVALUATED', 'SUSPENDED', 'CANCELLED',
] as const;
type Stage = (typeof STAGES)[number];

/**
 * Every allowed move and who may make it, written from the domain (DESIGN.md "The pipeline of a
 * project", README "The pipeline and the money"), not read from the code: a PROPOSED need is
 * the Shaanxi office's draft, so only that office publishes, suspends or cancels it; either office takes the next step, suspends or cancels an unfinished
 * project, and returns a matched project whose match fell through to PUBLISHED; completed work
 * can only be evaluated; EVALUATED and CANCELLED are final; a suspended project may be cancelled
 * or resume to the stage it left (tested on its own below).
 */
const SX = 'SHAANXI_OFFICE';
const JS = 'JIANGSU_OFFICE';
const ALLOWED_MOVES: [from: Stage, to: Stage, roles: string[]][] = [
  ['PROPOSED', 'PUBLISHED', [SX]],
  ['PROPOSED', 'SUSPENDED', [SX]],
  ['PROPOSED', 'CANCELLED', [SX]],
  ['PUBLISHED', 'MATCHED', [SX, JS]],
  ['PUBLISHED', 'SUSPENDED', [SX, JS]],
  ['PUBLISHED', 'CANCELLED', [SX, JS]],
  ['MATCHED', 'SCHEDULED', [SX, JS]],
  ['MATCHED', 'PUBLISHED', [SX, JS]],
  ['MATCHED', 'SUSPENDED', [SX, JS]],
  ['MATCHED', 'CANCELLED', [SX, JS]],
  ['SCHEDULED', 'SIGNED', [SX, JS]],
  ['SCHEDULED', 'SUSPENDED', [SX, JS]],
  ['SCHEDULED', 'CANCELLED', [SX, JS]],
  ['SIGNED', 'IMPLEMENTING', [SX, JS]],
  ['SIGNED', 'SUSPENDED', [SX, JS]],
  ['SIGNED', 'CANCELLED', [SX, JS]],
  ['IMPLEMENTING', 'COMPLETED', [SX, JS]],
  ['IMPLEMENTING', 'SUSPENDED', [SX, JS]],
  ['IMPLEMENTING', 'CANCELLED', [SX, JS]],
  ['COMPLETED', 'EVALUATED', [SX, JS]],
  ['SUSPENDED', 'CANCELLED', [SX, JS]],
];

const MOVE = /* GraphQL */ `
  mutation Move($input: MoveProjectInput!) {
    moveProject(input: $input) { id stage pipelineVersion iatiActivityStatus history { sequence from to actorRole note } }
  }
`;

describe('the project pipeline', () => {
  let hub: TestHub;
  const tokens = {} as Record<Caller, string | undefined>;
  let raise: (title: string) => Promise<string>;

  beforeAll(async () => {
    hub = await startTestHub('all-in-one');
    tokens.public = undefined;
    tokens.member = await hub.token('FOUNDATION_MEMBER', 'js-ruihua-charity-foundation');
    tokens.shaanxiOffice = await hub.token('SHAANXI_OFFICE');
    tokens.jiangsuOffice = await hub.token('JIANGSU_OFFICE');
    raise = async (title) => {
      const result = await hub.query(
        `mutation ($t: String!) { raiseProjectNeed(input: { countyCode: "610924", titleZh: $t, field: EDUCATION, amountSought: { fen: 50000000 } }) { id } }`,
        { t: title },
        { token: tokens.shaanxiOffice },
      );
      return result.data!.raiseProjectNeed.id as string;
    };
  });
  afterAll(() => hub?.stop());

  const eventCount = async (projectId: string) =>
    Number((await queryRows<{ n: number }>(hub.database.db, sql`select count(*)::int as n from pairing.stage_event where project_id = ${projectId}`))[0]!.n);

  async function move(caller: Caller, projectId: string, to: string, expectedVersion: number, extra: Record<string, unknown> = {}) {
    return hub.query(MOVE, { input: { projectId, to, expectedVersion, ...extra } }, { token: tokens[caller] });
  }

  /** Walks a fresh project to `stage` as the Shaanxi office; returns its id and version. */
  async function projectAt(stage: string): Promise<{ id: string; version: number }> {
    const path: [string, Record<string, unknown>][] = [
      ['PUBLISHED', {}],
      ['MATCHED', { organizationId: 'js-ruihua-charity-foundation' }],
      ['SCHEDULED', { ceremonyId: '2017-12-28-xian' }],
      ['SIGNED', {}],
      ['IMPLEMENTING', {}],
      ['COMPLETED', {}],
      ['EVALUATED', {}],
    ];
    const id = await raise(`流程测试 ${stage} ${Math.random()}`);
    let version = 0;
    if (stage === 'PROPOSED') return { id, version };
    if (stage === 'SUSPENDED' || stage === 'CANCELLED') {
      expect((await move('shaanxiOffice', id, 'PUBLISHED', 0)).errors).toBeUndefined();
      expect((await move('shaanxiOffice', id, stage, 1)).errors).toBeUndefined();
      return { id, version: 2 };
    }
    for (const [to, extra] of path) {
      const result = await move('shaanxiOffice', id, to, version, extra);
      expect(result.errors).toBeUndefined();
      version += 1;
      if (to === stage) return { id, version };
    }
    throw new Error(`no path to ${stage}`);
  }

  const ROLE_OF: Record<Caller, string> = {
    public: 'PUBLIC',
    member: 'FOUNDATION_MEMBER',
    shaanxiOffice: 'SHAANXI_OFFICE',
    jiangsuOffice: 'JIANGSU_OFFICE',
  };
  const EXTRA: Record<string, Record<string, unknown>> = {
    MATCHED: { organizationId: 'js-tongtai-charity-foundation' },
    SCHEDULED: { ceremonyId: '2017-12-28-xian' },
  };
  // Every allowed move of the domain's table, tried by every caller.
  const matrix = ALLOWED_MOVES.flatMap(([from, to, roles]) => CALLERS.map((caller) => [from, to, caller, roles] as const));

  it.each(matrix)('%s → %s by %s', async (from, to, caller, roles) => {
    const { id, version } = await projectAt(from);
    const before = await eventCount(id);
    const result = await move(caller, id, to, version, EXTRA[to]);
    if (roles.includes(ROLE_OF[caller])) {
      expect(result.errors).toBeUndefined();
      expect(result.data!.moveProject).toMatchObject({ stage: to, pipelineVersion: version + 1 });
      expect(result.data!.moveProject.history.at(-1)).toMatchObject({ sequence: version + 1, from, to });
      expect(await eventCount(id)).toBe(before + 1);
    } else {
      // Another office is not refused a draft: to it the draft does not exist.
      const refusal = caller === 'public' ? 'UNAUTHENTICATED' : caller === 'jiangsuOffice' && from === 'PROPOSED' ? 'NOT_FOUND' : 'FORBIDDEN';
      expect(result.errors?.[0]?.extensions?.code).toBe(refusal);
      expect(await eventCount(id)).toBe(before);
    }
  });

  it.each(STAGES.map((from) => [from]))('refuses every move the domain does not allow from %s, writing no event', async (from) => {
    const { id, version } = await projectAt(from);
    const before = await eventCount(id);
    // A suspended project may also resume to the stage it left (here PUBLISHED; see the next test).
    const allowed = new Set<string>([
      ...ALLOWED_MOVES.filter((move) => move[0] === from).map((move) => move[1]),
      ...(from === 'SUSPENDED' ? ['PUBLISHED'] : []),
    ]);
    // A draft is moved by the Shaanxi office alone; every other stage by either office.
    const by: Caller = from === 'PROPOSED' ? 'shaanxiOffice' : 'jiangsuOffice';
    for (const to of STAGES.filter((stage) => !allowed.has(stage))) {
      const result = await move(by, id, to, version, EXTRA[to]);
      expect(result.errors?.[0]?.extensions, `${from} → ${to}`).toMatchObject({ code: 'ILLEGAL_STAGE_CHANGE', from, to });
    }
    expect(await eventCount(id)).toBe(before);
  });

  it('resumes a suspended project only to the stage it left', async () => {
    const { id, version } = await projectAt('SIGNED');
    expect((await move('jiangsuOffice', id, 'SUSPENDED', version)).data!.moveProject.iatiActivityStatus).toBe(6);
    const wrong = await move('jiangsuOffice', id, 'IMPLEMENTING', version + 1);
    expect(wrong.errors?.[0]?.extensions).toMatchObject({ code: 'ILLEGAL_STAGE_CHANGE', allowed: ['CANCELLED', 'SIGNED'] });
    const resumed = await move('jiangsuOffice', id, 'SIGNED', version + 1, { note: '资金到位，恢复' });
    expect(resumed.data!.moveProject).toMatchObject({ stage: 'SIGNED', pipelineVersion: version + 2 });
    expect(resumed.data!.moveProject.history.map((e: { to: string }) => e.to)).toEqual([
      'PUBLISHED', 'MATCHED', 'SCHEDULED', 'SIGNED', 'SUSPENDED', 'SIGNED',
    ]);
  });

  const eventsAt = (projectId: string, sequence: number) =>
    queryRows<{ to_stage: string }>(
      hub.database.db,
      sql`select to_stage from pairing.stage_event where project_id = ${projectId} and sequence = ${sequence}`,
    );

  /** A move as the resolver hands it to the store once every check has passed. */
  const transition = (projectId: string, expectedVersion: number, to: Stage): Transition => ({
    projectId,
    expectedVersion,
    from: 'IMPLEMENTING',
    to,
    snapshot: { countyCode: '610924', prefectureCode: '610900', field: 'EDUCATION', raisedByOrganizationId: null },
    actorRole: 'SHAANXI_OFFICE',
    actorSubject: 'test',
    note: null,
    organizationId: null,
    ceremonyId: null,
  });

  // Both writes are handed to the database at one version with no check in front of them, so
  // only the version condition of the write itself can stop the second (PGlite runs the two
  // transactions one after the other, a server side by side).
  it('lets the database take exactly one of two moves written at one version', async () => {
    const { id, version } = await projectAt('IMPLEMENTING');
    const store = new PipelineStore(hub.database.db);
    const outcomes = await Promise.all([
      store.applyTransition(transition(id, version, 'COMPLETED')),
      store.applyTransition(transition(id, version, 'CANCELLED')),
    ]);
    expect(outcomes.map((outcome) => outcome.type).sort()).toEqual(['moved', 'version-conflict']);
    expect(await eventsAt(id, version + 1)).toHaveLength(1);
    expect(await eventsAt(id, version + 2)).toHaveLength(0);
  });

  // Through the gateway, on a Postgres server: both requests pass every check in the resolver and
  // meet at the held row (see raceAtRow). PGlite has one connection and runs the requests'
  // statements in turn, so a race cannot be held open there; the test above covers it.
  it.runIf(process.env.TEST_DATABASE_URL)(
    'lets exactly one of two moves racing past the checks at one version win; the other gets VERSION_CONFLICT',
    async () => {
      const { id, version } = await projectAt('IMPLEMENTING');
      const [a, b] = await raceAtRow(hub, { table: 'pairing.project_pipeline', where: sql`project_id = ${id}` }, 2, () =>
        Promise.all([move('shaanxiOffice', id, 'COMPLETED', version), move('jiangsuOffice', id, 'CANCELLED', version)]),
      );
      const codes = [a, b].map((r) => (r.errors ? r.errors[0]!.extensions!.code : 'ok')).sort();
      expect(codes).toEqual(['VERSION_CONFLICT', 'ok']);
      expect(await eventsAt(id, version + 1)).toHaveLength(1);
      expect(await eventsAt(id, version + 2)).toHaveLength(0);
    },
  );

  it('keeps the current stage equal to the last event, and joins a scheduled project to its ceremony batch', async () => {
    const { id } = await projectAt('SIGNED');
    const result = await hub.query(`query ($id: ID!) { project(id: $id) { stage history { to } ceremony { id } } }`, { id });
    const project = result.data!.project;
    expect(project.stage).toBe(project.history.at(-1).to);
    expect(project.ceremony).toEqual({ id: '2017-12-28-xian' });
  });

  it('refuses a stale version, an unknown project, a missing organization or ceremony', async () => {
    const { id, version } = await projectAt('PUBLISHED');
    expect((await move('jiangsuOffice', id, 'MATCHED', version - 1, { organizationId: 'js-tongtai-charity-foundation' })).errors?.[0]?.extensions?.code).toBe('VERSION_CONFLICT');
    expect((await move('jiangsuOffice', id, 'MATCHED', version)).errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.organizationId' });
    expect((await move('jiangsuOffice', id, 'MATCHED', version, { organizationId: 'js-nobody' })).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await move('shaanxiOffice', '00000000-0000-4000-8000-000000000000', 'PUBLISHED', 0)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const matched = await move('jiangsuOffice', id, 'MATCHED', version, { organizationId: 'js-tongtai-charity-foundation' });
    expect((await move('jiangsuOffice', id, 'SCHEDULED', version + 1, { ceremonyId: 'no-such-ceremony' })).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(matched.data!.moveProject.stage).toBe('MATCHED');
  });

  it('never lets a stage event be changed or removed, even by SQL', async () => {
    const { id } = await projectAt('PUBLISHED');
    await expect(hub.database.db.execute(sql`update pairing.stage_event set note = 'rewritten' where project_id = ${id}`)).rejects.toThrow();
    await expect(hub.database.db.execute(sql`delete from pairing.stage_event where project_id = ${id}`)).rejects.toThrow();
    expect(await eventCount(id)).toBe(1);
  });
});

