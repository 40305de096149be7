import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { queryRows } from '@hub/db';
import { startTestHub, type TestHub } from '@hub/testkit';
import { STAGES } from '../subgraphs/pairing/src/db/schema.ts';
import { TRANSITIONS } from '../subgraphs/pairing/src/pipeline.ts';

/** The signed-project pipeline: allowed moves by allowed roles, an immutable history, optimistic versions. */
type Caller = 'public' | 'member' | 'shaanxiOffice' | 'jiangsuOffice';
const CALLERS: Caller[] = ['public', 'member', 'shaanxiOffice', 'jiangsuOffice'];

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
  // Every allowed transition of the pipeline's own table, tried by every caller.
  const allowedMoves = STAGES.flatMap((from) =>
    Object.entries(TRANSITIONS[from]).map(([to, roles]) => [from, to, roles as readonly string[]] as const),
  );
  const matrix = allowedMoves.flatMap(([from, to, roles]) => CALLERS.map((caller) => [from, to, caller, roles] as const));

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
      expect(result.errors?.[0]?.extensions?.code).toBe(caller === 'public' ? 'UNAUTHENTICATED' : 'FORBIDDEN');
      expect(await eventCount(id)).toBe(before);
    }
  });

  it.each(STAGES.map((from) => [from]))('refuses every move the table does not allow from %s, writing no event', async (from) => {
    const { id, version } = await projectAt(from);
    const before = await eventCount(id);
    // A suspended project may also resume to the stage it left (here PUBLISHED; see the next test).
    const allowed = new Set([...Object.keys(TRANSITIONS[from]), ...(from === 'SUSPENDED' ? ['PUBLISHED'] : [])]);
    for (const to of STAGES.filter((stage) => !allowed.has(stage))) {
      const result = await move('jiangsuOffice', id, to, version, EXTRA[to]);
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

  it('lets exactly one of two concurrent moves win; the other gets VERSION_CONFLICT and history has one event', async () => {
    const { id, version } = await projectAt('IMPLEMENTING');
    const [a, b] = await Promise.all([
      move('shaanxiOffice', id, 'COMPLETED', version),
      move('jiangsuOffice', id, 'CANCELLED', version),
    ]);
    const codes = [a, b].map((r) => (r.errors ? r.errors[0]!.extensions!.code : 'ok')).sort();
    expect(codes).toEqual(['VERSION_CONFLICT', 'ok']);
    const events = await queryRows<{ sequence: number }>(
      hub.database.db,
      sql`select sequence from pairing.stage_event where project_id = ${id} and sequence = ${version + 1}`,
    );
    expect(events).toHaveLength(1);
  });

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
