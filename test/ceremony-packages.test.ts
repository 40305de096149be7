import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { queryRows } from '@hub/db';
import { moveThrough, startTestHub, tableChecksums, tablesOf, type GraphQLResult, type TestHub } from '@hub/testkit';
import { PackageStore } from '../subgraphs/pairing/src/store/package-store.ts';
import { waitForLockWaits } from './support/row-barrier.ts';

/**
 * Ceremony packages (issue 8, item 3): an office schedules a ceremony, saves its package of
 * lines built from the projects scheduled for it, and finalizes it once every check passes;
 * a failed check names the line and the reason, and writes nothing.
 *
 * The fixture, from the public record: 安康 (610900) is paired with 常州 (320400), 商洛
 * (611000) with 南京 (320100). 紫阳县 610924 and 镇坪县 610927 are counties of 安康; 镇坪县义工协会
 * (sn-zhenping-volunteer-association) raises the needs.
 */
const AGREEMENT = 'su-shaan-social-organizations-2017';
const RAISER = 'sn-zhenping-volunteer-association';
const OTHER_FOUNDATION = 'js-ruihua-charity-foundation';

const CEREMONY_FIELDS = /* GraphQL */ `
  id titleZh heldOn cityCode cityNameZh venue declaredProjectCount declaredTotal { fen } lineByLine
  hosts { id } shaanxiPrefecture { code } jiangsuCity { code } provenance { kind }
`;

const PACKAGE_FIELDS = /* GraphQL */ `
  id version status contentHash pdfPath createdAt finalizedAt signedAt
  total { fen } statedTotal { fen }
  lines { position project { id } county { code } shaanxiSignatory { id } jiangsuOrganization { id } amount { fen } }
  checks { kind line passed code message }
  ceremony { id }
  signing { attempts }
  provenance { kind }
`;

const SCHEDULE = `mutation ($input: ScheduleCeremonyInput!) { scheduleCeremony(input: $input) { ${CEREMONY_FIELDS} } }`;
const SAVE = `mutation ($input: SaveCeremonyPackageInput!) { saveCeremonyPackage(input: $input) { ${PACKAGE_FIELDS} } }`;
const FINALIZE = `mutation ($input: PackageVersionInput!) { finalizeCeremonyPackage(input: $input) { ${PACKAGE_FIELDS} } }`;
const READ = `query ($ceremonyId: ID!, $version: Int) { ceremonyPackage(ceremonyId: $ceremonyId, version: $version) { ${PACKAGE_FIELDS} } }`;
const EXCEPTION = /* GraphQL */ `
  mutation ($input: PairingExceptionInput!) {
    recordPairingException(input: $input) {
      id agreement { id } organization { id } county { code } prefecture { code } reason recordedAt recordedByRole provenance { kind }
    }
  }
`;

interface Line {
  position: number;
  project: { id: string };
  county: { code: string };
  shaanxiSignatory: { id: string };
  jiangsuOrganization: { id: string };
  amount: { fen: number };
}
interface Check {
  kind: string;
  line: number | null;
  passed: boolean;
  code: string | null;
  message: string;
}
interface Package {
  id: string;
  version: number;
  status: string;
  contentHash: string | null;
  pdfPath: string | null;
  finalizedAt: string | null;
  total: { fen: number };
  statedTotal: { fen: number };
  lines: Line[];
  checks: Check[];
  provenance: { kind: string };
}

/** SHA-256 of the canonical content, written out here from the rule: keys sorted, no spaces, fen as strings. */
function expectedHash(ceremonyId: string, version: number, lines: [string, string, string, string, number][], statedTotalFen: number) {
  const json =
    `{"ceremonyId":${JSON.stringify(ceremonyId)},"lines":[` +
    lines
      .map(
        ([projectId, countyCode, shaanxiSignatoryId, jiangsuOrganizationId, amountFen], index) =>
          `{"amountFen":"${amountFen}","countyCode":"${countyCode}","jiangsuOrganizationId":"${jiangsuOrganizationId}","position":${index + 1},"projectId":"${projectId}","shaanxiSignatoryId":"${shaanxiSignatoryId}"}`,
      )
      .join(',') +
    `],"statedTotalFen":"${statedTotalFen}","version":${version}}`;
  return createHash('sha256').update(json, 'utf8').digest('hex');
}

function setUp(topology: 'all-in-one' | 'distributed') {
  const world = {} as {
    hub: TestHub;
    shaanxi: string;
    jiangsu: string;
    /** A Jiangsu foundation based in 常州, paired with 安康. */
    changzhou: string;
    /** A Jiangsu foundation based in 南京, paired with 商洛 only. */
    nanjing: string;
    tables: string[];
  };

  beforeAll(async () => {
    world.hub = await startTestHub(topology);
    world.shaanxi = await world.hub.token('SHAANXI_OFFICE');
    world.jiangsu = await world.hub.token('JIANGSU_OFFICE');
    const organization = async (nameZh: string, cityCode: string) => {
      const created = await world.hub.query(
        `mutation ($input: CreateJiangsuOrganizationInput!) { createJiangsuOrganization(input: $input) { id city { code } } }`,
        { input: { nameZh, kind: 'FOUNDATION', cityCode } },
        { token: world.jiangsu },
      );
      expect(created.errors).toBeUndefined();
      return created.data!.createJiangsuOrganization.id as string;
    };
    world.changzhou = await organization('常州测试慈善基金会', '320400');
    world.nanjing = await organization('南京测试慈善基金会', '320100');
    world.tables = await tablesOf(world.hub.database.db, ['pairing']);
  });
  afterAll(() => world.hub?.stop());

  const hub = () => world.hub;

  async function schedule(overrides: Record<string, unknown> = {}, token = world.shaanxi) {
    return hub().query<{ scheduleCeremony: any }>(
      SCHEDULE,
      {
        input: {
          agreementId: AGREEMENT,
          titleZh: '江苏社会组织助力安康脱贫项目签约仪式',
          heldOn: '2026-05-20',
          cityCode: '610900',
          venue: '安康市民政局',
          hosts: [
            { id: 'js-civil-affairs-department', province: 'JIANGSU' },
            { id: 'sn-civil-affairs-department', province: 'SHAANXI' },
          ],
          ...overrides,
        },
      },
      { token },
    );
  }

  async function ceremony(): Promise<string> {
    const scheduled = await schedule();
    expect(scheduled.errors).toBeUndefined();
    return scheduled.data!.scheduleCeremony.id;
  }

  /** A need of `county`, raised by 镇坪县义工协会, moved to `stages` as the Shaanxi office. */
  async function project(
    options: { county?: string; soughtFen?: number | null; raisedBy?: string | null; stages?: string[]; organizationId?: string; ceremonyId?: string } = {},
  ): Promise<string> {
    const raised = await hub().query(
      `mutation ($input: RaiseProjectNeedInput!) { raiseProjectNeed(input: $input) { id } }`,
      {
        input: {
          countyCode: options.county ?? '610924',
          raisedByOrganizationId: options.raisedBy === undefined ? RAISER : options.raisedBy,
          titleZh: `签约包测试项目 ${randomUUID().slice(0, 8)}`,
          field: 'EDUCATION',
          ...(options.soughtFen === null ? {} : { amountSought: { fen: options.soughtFen ?? 500_000 } }),
        },
      },
      { token: world.shaanxi },
    );
    expect(raised.errors).toBeUndefined();
    const id = raised.data!.raiseProjectNeed.id as string;
    const stages = options.stages ?? ['PUBLISHED', 'MATCHED', 'SCHEDULED'];
    if (stages.length > 0) {
      await moveThrough(hub(), id, stages, world.shaanxi, {
        organizationId: options.organizationId ?? world.changzhou,
        ...(options.ceremonyId ? { ceremonyId: options.ceremonyId } : {}),
      });
    }
    return id;
  }

  const save = (input: Record<string, unknown>, token = world.shaanxi) =>
    hub().query<{ saveCeremonyPackage: Package }>(SAVE, { input }, { token });
  const finalize = (ceremonyId: string, version: number, token = world.jiangsu) =>
    hub().query<{ finalizeCeremonyPackage: Package }>(FINALIZE, { input: { ceremonyId, version } }, { token });
  const read = (ceremonyId: string, version: number | null, token?: string) =>
    hub().query<{ ceremonyPackage: Package | null }>(READ, { ceremonyId, version }, token ? { token } : {});
  const checksums = () => tableChecksums(hub().database.db, world.tables);

  return { world, hub, schedule, ceremony, project, save, finalize, read, checksums };
}

/** The problems of a PACKAGE_CHECKS_FAILED answer, as `line projectId code`. */
function problemsOf(result: GraphQLResult): string[] {
  expect(result.errors?.[0]?.extensions?.code).toBe('PACKAGE_CHECKS_FAILED');
  return (result.errors![0]!.extensions!.problems as { line: number | null; projectId: string | null; code: string }[]).map(
    (problem) => `${problem.line ?? '-'} ${problem.projectId ?? '-'} ${problem.code}`,
  );
}

describe('ceremony packages', () => {
  const { world, hub, schedule, ceremony, project, save, finalize, read, checksums } = setUp('all-in-one');

  it('schedules a ceremony under an agreement, with its hosts, the city named from the division codes, and nothing declared', async () => {
    const scheduled = await schedule();
    expect(scheduled.errors).toBeUndefined();
    const row = scheduled.data!.scheduleCeremony;
    expect(row.id).toMatch(/^2026-05-20-610900-[0-9]+$/);
    expect(row).toMatchObject({
      titleZh: '江苏社会组织助力安康脱贫项目签约仪式',
      heldOn: '2026-05-20',
      cityCode: '610900',
      cityNameZh: '安康市',
      venue: '安康市民政局',
      declaredProjectCount: 0,
      declaredTotal: { fen: 0 },
      lineByLine: 'IN_PACKAGE',
      shaanxiPrefecture: { code: '610900' },
      jiangsuCity: null,
      provenance: { kind: 'ENTERED' },
    });
    expect(row.hosts.map((host: { id: string }) => host.id).sort()).toEqual(['js-civil-affairs-department', 'sn-civil-affairs-department']);
    const again = await schedule();
    expect(again.data!.scheduleCeremony.id).not.toBe(row.id);
    const listed = await hub().query(`query ($id: ID!) { agreement(id: $id) { ceremonies { id } } }`, { id: AGREEMENT });
    expect(listed.data!.agreement.ceremonies.map((c: { id: string }) => c.id)).toEqual(expect.arrayContaining([row.id, again.data!.scheduleCeremony.id]));
  });

  it('counts a ceremony as held once its day has come, not when it is scheduled ahead', async () => {
    const held = async () =>
      (await hub().query(`query ($id: ID!) { agreement(id: $id) { progress { ceremoniesHeld } } }`, { id: AGREEMENT })).data!.agreement.progress
        .ceremoniesHeld as number;
    const before = await held();
    expect((await schedule({ heldOn: '2099-06-01' })).errors).toBeUndefined();
    expect(await held()).toBe(before);
    expect((await schedule({ heldOn: '2018-06-01' })).errors).toBeUndefined();
    expect(await held()).toBe(before + 1);
  });

  it('saves the default lines from the projects scheduled for the ceremony, checks them as they stand, and finalizes the package', async () => {
    const id = await ceremony();
    const first = await project({ county: '610924', soughtFen: 500_000, ceremonyId: id });
    const second = await project({ county: '610927', soughtFen: 300_000, ceremonyId: id });
    // Matched but not scheduled, scheduled for another ceremony, in the batch but suspended: none is a default line.
    await project({ stages: ['PUBLISHED', 'MATCHED'] });
    await project({ ceremonyId: await ceremony() });
    await project({ ceremonyId: id, stages: ['PUBLISHED', 'MATCHED', 'SCHEDULED', 'SUSPENDED'] });

    const saved = await save({ ceremonyId: id, expectedVersion: 0 });
    expect(saved.errors).toBeUndefined();
    const draft = saved.data!.saveCeremonyPackage;
    expect(draft).toMatchObject({
      version: 1,
      status: 'DRAFT',
      contentHash: null,
      pdfPath: null,
      finalizedAt: null,
      total: { fen: 800_000 },
      statedTotal: { fen: 800_000 },
      provenance: { kind: 'ENTERED' },
    });
    // In the order the projects joined the batch; the county is the need's; the signatories
    // are the organization that raised it and the one it was matched with; the amount is what it seeks.
    expect(draft.lines).toEqual([
      { position: 1, project: { id: first }, county: { code: '610924' }, shaanxiSignatory: { id: RAISER }, jiangsuOrganization: { id: world.changzhou }, amount: { fen: 500_000 } },
      { position: 2, project: { id: second }, county: { code: '610927' }, shaanxiSignatory: { id: RAISER }, jiangsuOrganization: { id: world.changzhou }, amount: { fen: 300_000 } },
    ]);
    const everyCheck = [
      ['NOT_EMPTY', null],
      ...[1, 2].flatMap((line) => ['SCHEDULED_AND_MATCHED', 'ONE_PACKAGE_PER_PROJECT', 'PAIRING_ALLOWED', 'AMOUNT_WITHIN_NEED'].map((kind) => [kind, line])),
      ['TOTAL_IS_SUM', null],
    ];
    expect(draft.checks.map((check) => [check.kind, check.line])).toEqual(everyCheck);
    expect(draft.checks.every((check) => check.passed && check.code === null)).toBe(true);

    const finalized = await finalize(id, 1);
    expect(finalized.errors).toBeUndefined();
    const final = finalized.data!.finalizeCeremonyPackage;
    expect(final).toMatchObject({ version: 1, status: 'FINAL', pdfPath: `/ceremonies/${id}/packages/1.pdf` });
    expect(final.finalizedAt).toEqual(expect.any(String));
    expect(final.contentHash).toBe(
      expectedHash(id, 1, [
        [first, '610924', RAISER, world.changzhou, 500_000],
        [second, '610927', RAISER, world.changzhou, 300_000],
      ], 800_000),
    );
    expect(final.checks.map((check) => [check.kind, check.line, check.passed])).toEqual(everyCheck.map((check) => [...check, true]));
    // Frozen: the checks it passed are kept, whatever happens to the projects afterwards.
    await moveThrough(hub(), second, ['SUSPENDED'], world.shaanxi);
    const later = await read(id, 1, world.jiangsu);
    expect(later.data!.ceremonyPackage!.checks.every((check) => check.passed)).toBe(true);
    const claims = await queryRows<{ project_id: string; package_id: string }>(
      hub().database.db,
      sql`select project_id, package_id from pairing.package_project_claim where ceremony_id = ${id} order by project_id`,
    );
    expect(claims).toEqual([first, second].sort().map((projectId) => ({ project_id: projectId, package_id: final.id })));

    const current = await hub().query(
      `query ($id: ID!) { ceremony(id: $id) { lineByLine packages { version status } currentPackage { version status } } }`,
      { id },
      { token: world.shaanxi },
    );
    expect(current.data!.ceremony).toEqual({ lineByLine: 'IN_PACKAGE', packages: [{ version: 1, status: 'FINAL' }], currentPackage: { version: 1, status: 'FINAL' } });
  });

  it('freezes each final version: a change is a new version with another hash, and the old one stays readable with its own', async () => {
    const id = await ceremony();
    const a = await project({ ceremonyId: id, soughtFen: 500_000 });
    const b = await project({ ceremonyId: id, soughtFen: 400_000, county: '610927' });
    expect((await save({ ceremonyId: id, expectedVersion: 0 })).errors).toBeUndefined();
    const v1 = (await finalize(id, 1)).data!.finalizeCeremonyPackage;
    expect(v1.contentHash).toBe(expectedHash(id, 1, [[a, '610924', RAISER, world.changzhou, 500_000], [b, '610927', RAISER, world.changzhou, 400_000]], 900_000));

    // A final version is not finalized again, and a stale version is not saved over.
    expect((await finalize(id, 1)).errors?.[0]?.extensions).toMatchObject({ code: 'PACKAGE_NOT_FINAL', status: 'FINAL' });
    expect((await save({ ceremonyId: id, expectedVersion: 0 })).errors?.[0]?.extensions).toMatchObject({
      code: 'VERSION_CONFLICT',
      expectedVersion: 0,
      currentVersion: 1,
    });

    const lines = [{ projectId: a, amount: { fen: 450_000 } }, { projectId: b }];
    const v2 = (await save({ ceremonyId: id, expectedVersion: 1, lines })).data!.saveCeremonyPackage;
    expect(v2).toMatchObject({ version: 2, status: 'DRAFT', total: { fen: 850_000 } });
    // The older draft of a ceremony whose package moved on is not finalized.
    const v3 = (await save({ ceremonyId: id, expectedVersion: 2, lines })).data!.saveCeremonyPackage;
    expect((await finalize(id, 2)).errors?.[0]?.extensions).toMatchObject({ code: 'VERSION_CONFLICT', expectedVersion: 2, currentVersion: 3 });
    const final3 = (await finalize(id, v3.version)).data!.finalizeCeremonyPackage;
    expect(final3.contentHash).toBe(expectedHash(id, 3, [[a, '610924', RAISER, world.changzhou, 450_000], [b, '610927', RAISER, world.changzhou, 400_000]], 850_000));
    expect(final3.contentHash).not.toBe(v1.contentHash);

    const old = (await read(id, 1, world.jiangsu)).data!.ceremonyPackage!;
    expect(old).toMatchObject({ status: 'SUPERSEDED', contentHash: v1.contentHash, pdfPath: `/ceremonies/${id}/packages/1.pdf`, total: { fen: 900_000 } });
    expect(old.lines.map((line) => line.amount.fen)).toEqual([500_000, 400_000]);
    const ceremonyNow = await hub().query(
      `query ($id: ID!) { ceremony(id: $id) { packages { version status } currentPackage { version } } }`,
      { id },
      { token: world.jiangsu },
    );
    expect(ceremonyNow.data!.ceremony).toEqual({
      packages: [
        { version: 1, status: 'SUPERSEDED' },
        { version: 2, status: 'DRAFT' },
        { version: 3, status: 'FINAL' },
      ],
      currentPackage: { version: 3 },
    });
    const claims = await queryRows<{ package_id: string }>(hub().database.db, sql`select distinct package_id from pairing.package_project_claim where ceremony_id = ${id}`);
    expect(claims).toEqual([{ package_id: final3.id }]);
  });

  describe('moves that would go around a package', () => {
    const MOVE = `mutation ($input: MoveProjectInput!) { moveProject(input: $input) { stage pipelineVersion agreementFocus { position } ceremony { id } } }`;
    const move = (input: Record<string, unknown>) => hub().query<{ moveProject: any }>(MOVE, { input }, { token: world.shaanxi });
    const versionOf = async (id: string) =>
      (await hub().query(`query ($id: ID!) { project(id: $id) { pipelineVersion } }`, { id }, { token: world.shaanxi })).data!.project.pipelineVersion as number;

    it('a project in a final package is signed by signing the package: moving it to SIGNED alone is PROJECT_IN_PACKAGE, and writes nothing', async () => {
      const id = await ceremony();
      const a = await project({ ceremonyId: id });
      expect((await save({ ceremonyId: id, expectedVersion: 0 })).errors).toBeUndefined();
      expect((await finalize(id, 1)).errors).toBeUndefined();
      const before = await checksums();
      const refused = await move({ projectId: a, to: 'SIGNED', expectedVersion: await versionOf(a) });
      expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'PROJECT_IN_PACKAGE', ceremonyId: id });
      expect(await checksums()).toEqual(before);
    });

    it('no project joins the batch of a ceremony whose package is signed: CEREMONY_ALREADY_SIGNED, nothing written', async () => {
      const id = await ceremony();
      await project({ ceremonyId: id });
      expect((await save({ ceremonyId: id, expectedVersion: 0 })).errors).toBeUndefined();
      expect((await finalize(id, 1)).errors).toBeUndefined();
      await hub().database.db.execute(sql`update pairing.ceremony_package set status = 'SIGNED', signed_at = now() where ceremony_id = ${id} and version = 1`);
      const late = await project({ stages: ['PUBLISHED', 'MATCHED'] });
      const before = await checksums();
      const refused = await move({ projectId: late, to: 'SCHEDULED', expectedVersion: await versionOf(late), ceremonyId: id });
      expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'CEREMONY_ALREADY_SIGNED', field: 'input.ceremonyId' });
      expect(await checksums()).toEqual(before);
    });

    it('a suspended project resumes to the batch it left, serving the focus it served; another ceremony is refused', async () => {
      const first = await ceremony();
      const second = await ceremony();
      const a = await project({ stages: ['PUBLISHED', 'MATCHED'] });
      expect((await move({ projectId: a, to: 'SCHEDULED', expectedVersion: await versionOf(a), ceremonyId: first, focus: 2 })).errors).toBeUndefined();
      expect((await move({ projectId: a, to: 'SUSPENDED', expectedVersion: await versionOf(a) })).errors).toBeUndefined();
      const before = await checksums();
      const elsewhere = await move({ projectId: a, to: 'SCHEDULED', expectedVersion: await versionOf(a), ceremonyId: second });
      expect(elsewhere.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.ceremonyId', ceremonyId: first });
      expect(await checksums()).toEqual(before);
      const resumed = await move({ projectId: a, to: 'SCHEDULED', expectedVersion: await versionOf(a) });
      expect(resumed.errors).toBeUndefined();
      expect(resumed.data!.moveProject).toMatchObject({ stage: 'SCHEDULED', agreementFocus: { position: 2 }, ceremony: { id: first } });
    });
  });

  it('never supersedes a package being signed or signed: finalizing a new version answers CEREMONY_ALREADY_SIGNED and writes nothing', async () => {
    const id = await ceremony();
    const a = await project({ ceremonyId: id });
    expect((await save({ ceremonyId: id, expectedVersion: 0 })).errors).toBeUndefined();
    expect((await finalize(id, 1)).errors).toBeUndefined();
    // What the signing leaves behind (the signing itself is another piece of work).
    await hub().database.db.execute(sql`update pairing.ceremony_package set status = 'SIGNED', signed_at = now() where ceremony_id = ${id} and version = 1`);
    // Whatever the new version's checks would say (its total is wrong), the signed package answers first.
    expect((await save({ ceremonyId: id, expectedVersion: 1, lines: [{ projectId: a, amount: { fen: 1_000 } }], statedTotal: { fen: 999 } })).errors).toBeUndefined();
    const before = await checksums();
    const refused = await finalize(id, 2);
    expect(refused.errors?.[0]?.message).toMatch(/signed/);
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'CEREMONY_ALREADY_SIGNED', status: 'SIGNED', signedVersion: 1 });
    expect(await checksums()).toEqual(before);
  });

  describe('refuses a save it cannot make, naming the line, and writes nothing', () => {
    async function refusedSave(input: Record<string, unknown>, token = world.shaanxi) {
      const before = await checksums();
      const result = await save(input, token);
      // A value the schema refuses never reaches execution: no data at all.
      expect(result.data ?? null).toBeNull();
      expect(await checksums()).toEqual(before);
      return result.errors?.[0];
    }

    it('an unknown project, or a draft need asked by anyone but the Shaanxi office: NOT_FOUND naming the line; a draft for the Shaanxi office: BAD_USER_INPUT', async () => {
      const id = await ceremony();
      const known = await project({ ceremonyId: id });
      const unknown = randomUUID();
      expect((await refusedSave({ ceremonyId: id, expectedVersion: 0, lines: [{ projectId: known }, { projectId: unknown }] }))?.extensions).toMatchObject({
        code: 'NOT_FOUND',
        field: 'input.lines[1].projectId',
        line: 2,
      });
      expect((await refusedSave({ ceremonyId: id, expectedVersion: 0, lines: [{ projectId: 'not-a-project' }] }))?.extensions).toMatchObject({
        code: 'NOT_FOUND',
        field: 'input.lines[0].projectId',
      });
      const draft = await project({ stages: [] });
      const asJiangsu = await refusedSave({ ceremonyId: id, expectedVersion: 0, lines: [{ projectId: draft, jiangsuOrganizationId: world.changzhou }] }, world.jiangsu);
      const asUnknown = await refusedSave({ ceremonyId: id, expectedVersion: 0, lines: [{ projectId: unknown }] }, world.jiangsu);
      expect(asJiangsu?.extensions).toMatchObject({ code: 'NOT_FOUND', field: 'input.lines[0].projectId' });
      expect(asJiangsu?.message).toBe(asUnknown?.message.replace(unknown, draft));
      // The Shaanxi office sees its drafts, but a package is read by its partners, to whom a draft
      // does not exist: it is refused, and nothing is saved.
      const before = await checksums();
      const asShaanxi = await refusedSave({ ceremonyId: id, expectedVersion: 0, lines: [{ projectId: draft, jiangsuOrganizationId: world.changzhou }] });
      expect(asShaanxi?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.lines[0].projectId', line: 1 });
      expect(asShaanxi?.message).toMatch(/draft/);
      expect(await checksums()).toEqual(before);
    });

    it('a default that cannot be filled: BAD_USER_INPUT naming the field of the line', async () => {
      const id = await ceremony();
      await project({ ceremonyId: id });
      await project({ ceremonyId: id, raisedBy: null });
      expect((await refusedSave({ ceremonyId: id, expectedVersion: 0 }))?.extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'input.lines[1].shaanxiSignatoryId',
        line: 2,
      });
      const statingNone = await project({ stages: ['PUBLISHED', 'MATCHED'], soughtFen: null });
      expect((await refusedSave({ ceremonyId: id, expectedVersion: 0, lines: [{ projectId: statingNone }] }))?.extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'input.lines[0].amount',
      });
      const published = await project({ stages: ['PUBLISHED'] });
      expect((await refusedSave({ ceremonyId: id, expectedVersion: 0, lines: [{ projectId: published }] }))?.extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'input.lines[0].jiangsuOrganizationId',
      });
    });

    it('an organization no province knows, an amount over the entry limit, a negative total: refused naming the field', async () => {
      const id = await ceremony();
      const a = await project({ ceremonyId: id });
      expect((await refusedSave({ ceremonyId: id, expectedVersion: 0, lines: [{ projectId: a, shaanxiSignatoryId: 'sn-nobody' }] }))?.extensions).toMatchObject({
        code: 'NOT_FOUND',
        field: 'input.lines[0].shaanxiSignatoryId',
      });
      expect((await refusedSave({ ceremonyId: id, expectedVersion: 0, lines: [{ projectId: a, jiangsuOrganizationId: 'js-nobody' }] }))?.extensions).toMatchObject({
        code: 'NOT_FOUND',
        field: 'input.lines[0].jiangsuOrganizationId',
      });
      // One billion yuan and one fen: more than one commitment may be.
      expect((await refusedSave({ ceremonyId: id, expectedVersion: 0, lines: [{ projectId: a, amount: { fen: 100_000_000_001 } }] }))?.extensions).toMatchObject({
        code: 'AMOUNT_LIMIT_EXCEEDED',
        field: 'input.lines[0].amount.fen',
      });
      expect((await refusedSave({ ceremonyId: id, expectedVersion: 0, statedTotal: { fen: -1 } }))?.extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'input.statedTotal.fen',
      });
      expect((await refusedSave({ ceremonyId: id, expectedVersion: 0, lines: [{ projectId: a, amount: { fen: 1.5 } }] }))?.extensions?.code).toBe('BAD_USER_INPUT');
      // 501 lines: more than one signing records in one transaction on the Jiangsu books.
      const before = await checksums();
      const many = Array.from({ length: 501 }, () => ({ projectId: a }));
      expect((await refusedSave({ ceremonyId: id, expectedVersion: 0, lines: many }))?.extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'input.lines',
        limit: 500,
      });
      expect(await checksums()).toEqual(before);
      // Any other amount is saved, and judged by the checks.
      const negative = await save({ ceremonyId: id, expectedVersion: 0, lines: [{ projectId: a, amount: { fen: -100 } }], statedTotal: { fen: 0 } });
      expect(negative.errors).toBeUndefined();
      expect(negative.data!.saveCeremonyPackage.checks.filter((check) => !check.passed).map((check) => check.code)).toEqual([
        'AMOUNT_NOT_POSITIVE',
        'TOTAL_MISMATCH',
      ]);
    });

    it('demo records in a real ceremony: PROVENANCE_MISMATCH naming the field', async () => {
      const db = hub().database.db;
      await db.execute(sql`
        insert into jiangsu.organization (id, name_zh, kind, city_code, provenance_kind)
        values ('test-demo-changzhou-foundation', '演示常州基金会（虚构）', 'FOUNDATION', '320400', 'SYNTHETIC_DEMO')
        on conflict do nothing`);
      const [demoNeed] = await queryRows<{ id: string }>(
        db,
        sql`insert into shaanxi.project_need (county_code, raised_by_organization_id, title_zh, field, amount_sought_fen, published_at, provenance_kind)
            values ('610924', ${RAISER}, '演示项目（虚构）', 'EDUCATION', 100000, now(), 'SYNTHETIC_DEMO') returning id`,
      );
      // Published in the pipeline too, as the demo's needs are: a draft goes into no package at all.
      await db.execute(sql`
        insert into pairing.project_pipeline (project_id, stage, version, county_code, prefecture_code, field, provenance_kind)
        values (${demoNeed!.id}, 'PUBLISHED', 1, '610924', '610900', 'EDUCATION', 'SYNTHETIC_DEMO')`);
      await db.execute(sql`
        insert into pairing.stage_event (project_id, sequence, from_stage, to_stage, actor_role, provenance_kind)
        values (${demoNeed!.id}, 1, 'PROPOSED', 'PUBLISHED', 'SHAANXI_OFFICE', 'SYNTHETIC_DEMO')`);
      const id = await ceremony();
      const a = await project({ ceremonyId: id });
      expect(
        (await refusedSave({ ceremonyId: id, expectedVersion: 0, lines: [{ projectId: a, jiangsuOrganizationId: 'test-demo-changzhou-foundation' }] }))?.extensions,
      ).toMatchObject({ code: 'PROVENANCE_MISMATCH', field: 'input.lines[0].jiangsuOrganizationId' });
      expect(
        (await refusedSave({ ceremonyId: id, expectedVersion: 0, lines: [{ projectId: a }, { projectId: demoNeed!.id, jiangsuOrganizationId: world.changzhou }] }))
          ?.extensions,
      ).toMatchObject({ code: 'PROVENANCE_MISMATCH', field: 'input.lines[1].projectId' });
      const before = await checksums();
      const host = await schedule({ hosts: [{ id: 'test-demo-changzhou-foundation', province: 'JIANGSU' }] });
      expect(host.errors?.[0]?.extensions).toMatchObject({ code: 'PROVENANCE_MISMATCH', field: 'input.hosts[0]' });
      const exception = await hub().query(
        EXCEPTION,
        { input: { agreementId: AGREEMENT, organizationId: 'test-demo-changzhou-foundation', prefectureCode: '611000', reason: '演示' } },
        { token: world.jiangsu },
      );
      expect(exception.errors?.[0]?.extensions).toMatchObject({ code: 'PROVENANCE_MISMATCH', field: 'input.organizationId' });
      expect(await checksums()).toEqual(before);
    });

    it('a ceremony known by declared figures only, a stale version, a caller who is not an office', async () => {
      // The 2017 ceremony's line-by-line list is not in the public record: it has no package.
      expect((await refusedSave({ ceremonyId: '2017-12-28-xian', expectedVersion: 0 }))?.extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'input.ceremonyId',
      });
      expect((await refusedSave({ ceremonyId: 'no-such-ceremony', expectedVersion: 0 }))?.extensions?.code).toBe('NOT_FOUND');
      const id = await ceremony();
      expect((await refusedSave({ ceremonyId: id, expectedVersion: 1 }))?.extensions).toMatchObject({ code: 'VERSION_CONFLICT', currentVersion: 0 });
      const member = await hub().token('FOUNDATION_MEMBER', world.changzhou);
      expect((await refusedSave({ ceremonyId: id, expectedVersion: 0 }, member))?.extensions?.code).toBe('FORBIDDEN');
      const anonymous = await hub().query(SAVE, { input: { ceremonyId: id, expectedVersion: 0 } });
      expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect((await finalize(id, 1, member)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    });
  });

  describe('scheduling ceremonies and recording pairing exceptions', () => {
    it('refuses what is not a ceremony, naming the field, and writes nothing', async () => {
      const before = await checksums();
      const cases: [Record<string, unknown>, string, string][] = [
        [{ agreementId: 'no-such-agreement' }, 'NOT_FOUND', ''],
        [{ titleZh: '   ' }, 'BAD_USER_INPUT', 'input.titleZh'],
        [{ titleZh: '仪'.repeat(201) }, 'BAD_USER_INPUT', 'input.titleZh'],
        [{ cityCode: '110100' }, 'BAD_USER_INPUT', 'input.cityCode'],
        [{ cityCode: '610924' }, 'BAD_USER_INPUT', 'input.cityCode'],
        [{ hosts: [] }, 'BAD_USER_INPUT', 'input.hosts'],
        [{ hosts: [{ id: 'sn-civil-affairs-department', province: 'SHAANXI' }, { id: 'js-nobody', province: 'JIANGSU' }] }, 'NOT_FOUND', 'input.hosts[1]'],
        // Each province is asked for its own: a Jiangsu id named as Shaanxi is unknown there.
        [{ hosts: [{ id: 'js-civil-affairs-department', province: 'SHAANXI' }] }, 'NOT_FOUND', 'input.hosts[0]'],
        [{ hosts: [{ id: 'sn-civil-affairs-department', province: 'SHAANXI' }, { id: 'sn-civil-affairs-department', province: 'SHAANXI' }] }, 'BAD_USER_INPUT', 'input.hosts[1]'],
        [{ heldOn: '2026-02-30' }, 'BAD_USER_INPUT', ''],
        // The real agreement's term begins with its first ceremony, 2017-12-28: a ceremony
        // dated earlier would move the term and every year's targets with it.
        [{ heldOn: '2017-12-27' }, 'BAD_USER_INPUT', 'input.heldOn'],
        [{ heldOn: '1990-01-02' }, 'BAD_USER_INPUT', 'input.heldOn'],
        [{ idempotencyKey: 'short' }, 'BAD_USER_INPUT', 'input.idempotencyKey'],
      ];
      for (const [overrides, code, field] of cases) {
        const result = await schedule(overrides);
        expect(result.errors?.[0]?.extensions?.code, JSON.stringify(overrides)).toBe(code);
        if (field) expect(result.errors?.[0]?.extensions?.field, JSON.stringify(overrides)).toBe(field);
      }
      const member = await hub().token('FOUNDATION_MEMBER', world.changzhou);
      expect((await schedule({}, member)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect((await hub().query(SCHEDULE, { input: { agreementId: AGREEMENT, titleZh: 'x', heldOn: '2026-05-20', cityCode: '610900', hosts: [] } })).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect(await checksums()).toEqual(before);
    });

    it('schedules once per idempotency key: a retry gets the same ceremony, the key for another request is refused', async () => {
      const idempotencyKey = `schedule-${randomUUID()}`;
      const first = await schedule({ idempotencyKey, cityCode: '320400' });
      expect(first.errors).toBeUndefined();
      expect(first.data!.scheduleCeremony).toMatchObject({ cityNameZh: '常州市', jiangsuCity: { code: '320400' }, shaanxiPrefecture: null });
      const before = await checksums();
      const retry = await schedule({ idempotencyKey, cityCode: '320400' }, world.jiangsu);
      expect(retry.data!.scheduleCeremony.id).toBe(first.data!.scheduleCeremony.id);
      const reused = await schedule({ idempotencyKey, cityCode: '320400', venue: '另一个会场' });
      expect(reused.errors?.[0]?.extensions).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', field: 'input.idempotencyKey' });
      expect(await checksums()).toEqual(before);
    });

    it('records exceptions for one Shaanxi county or prefecture, with a reason, and lists them to anyone', async () => {
      const before = await checksums();
      const refusals: [Record<string, unknown>, string, string][] = [
        [{ countyCode: '610924', prefectureCode: '610900' }, 'BAD_USER_INPUT', 'input.prefectureCode'],
        [{}, 'BAD_USER_INPUT', 'input.countyCode'],
        [{ countyCode: '320505' }, 'BAD_USER_INPUT', 'input.countyCode'],
        [{ countyCode: '610900' }, 'BAD_USER_INPUT', 'input.countyCode'],
        [{ prefectureCode: '610924' }, 'BAD_USER_INPUT', 'input.prefectureCode'],
        [{ prefectureCode: '320400' }, 'BAD_USER_INPUT', 'input.prefectureCode'],
        [{ countyCode: '610924', reason: ' ' }, 'BAD_USER_INPUT', 'input.reason'],
        [{ countyCode: '610924', reason: '因'.repeat(1001) }, 'BAD_USER_INPUT', 'input.reason'],
        [{ countyCode: '610924', organizationId: 'js-nobody' }, 'NOT_FOUND', 'input.organizationId'],
        [{ countyCode: '610924', organizationId: 'sn-civil-affairs-department' }, 'NOT_FOUND', 'input.organizationId'],
        [{ countyCode: '610924', agreementId: 'no-such-agreement' }, 'NOT_FOUND', ''],
      ];
      for (const [overrides, code, field] of refusals) {
        const result = await hub().query(
          EXCEPTION,
          { input: { agreementId: AGREEMENT, organizationId: world.nanjing, reason: '理由', ...overrides } },
          { token: world.shaanxi },
        );
        expect(result.errors?.[0]?.extensions?.code, JSON.stringify(overrides)).toBe(code);
        if (field) expect(result.errors?.[0]?.extensions?.field, JSON.stringify(overrides)).toBe(field);
      }
      const anonymous = await hub().query(EXCEPTION, { input: { agreementId: AGREEMENT, organizationId: world.nanjing, countyCode: '610924', reason: '理由' } });
      expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect(await checksums()).toEqual(before);

      const recorded = await hub().query(
        EXCEPTION,
        { input: { agreementId: AGREEMENT, organizationId: world.nanjing, prefectureCode: '610700', reason: '  汉中全市的助学合作\n（2026 年起）  ' } },
        { token: world.jiangsu },
      );
      expect(recorded.errors).toBeUndefined();
      expect(recorded.data!.recordPairingException).toMatchObject({ county: null, prefecture: { code: '610700' }, reason: '汉中全市的助学合作\n（2026 年起）', recordedByRole: 'JIANGSU_OFFICE' });
      const listed = await hub().query(
        `query ($id: ID!) { pairingExceptions(agreementId: $id) { id organization { id nameZh } county { code } prefecture { code } reason } }`,
        { id: AGREEMENT },
      );
      expect(listed.errors).toBeUndefined();
      expect(listed.data!.pairingExceptions).toContainEqual({
        id: recorded.data!.recordPairingException.id,
        organization: { id: world.nanjing, nameZh: '南京测试慈善基金会' },
        county: null,
        prefecture: { code: '610700' },
        reason: '汉中全市的助学合作\n（2026 年起）',
      });
      expect((await hub().query(`{ pairingExceptions(agreementId: "no-such-agreement") { id } }`)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    });
  });

  describe('who sees a package', () => {
    const SEEN = `query ($id: ID!) { ceremonyPackage(ceremonyId: $id) { version status } ceremony(id: $id) { packages { version } currentPackage { version } } }`;

    it('shows a package not yet signed to the two offices and to members of its signatory organizations only; a signed one to everyone', async () => {
      const id = await ceremony();
      await project({ ceremonyId: id });
      expect((await save({ ceremonyId: id, expectedVersion: 0 })).errors).toBeUndefined();
      expect((await finalize(id, 1)).errors).toBeUndefined();
      const tokens = {
        shaanxi: world.shaanxi,
        jiangsu: world.jiangsu,
        jiangsuSignatory: await hub().token('FOUNDATION_MEMBER', world.changzhou),
        shaanxiSignatory: await hub().token('FOUNDATION_MEMBER', RAISER),
      };
      for (const [who, token] of Object.entries(tokens)) {
        const seen = await hub().query(SEEN, { id }, { token });
        expect(seen.errors, who).toBeUndefined();
        expect(seen.data, who).toEqual({ ceremonyPackage: { version: 1, status: 'FINAL' }, ceremony: { packages: [{ version: 1 }], currentPackage: { version: 1 } } });
      }
      const others = { public: undefined, otherMember: await hub().token('FOUNDATION_MEMBER', OTHER_FOUNDATION) };
      for (const [who, token] of Object.entries(others)) {
        const unseen = await hub().query(SEEN, { id }, token ? { token } : {});
        expect(unseen.errors?.[0]?.extensions?.code, who).toBe('NOT_FOUND');
        expect(unseen.errors?.[0]?.path, who).toEqual(['ceremonyPackage']);
        const listed = await hub().query(`query ($id: ID!) { ceremony(id: $id) { packages { version } currentPackage { version } } }`, { id }, token ? { token } : {});
        expect(listed.data, who).toEqual({ ceremony: { packages: [], currentPackage: null } });
        // Asked by version, it is as unknown as a version that does not exist.
        const byVersion = await hub().query(READ, { ceremonyId: id, version: 1 }, token ? { token } : {});
        const missing = await hub().query(READ, { ceremonyId: id, version: 9 }, token ? { token } : {});
        expect(byVersion.errors?.[0]?.message, who).toBe(missing.errors?.[0]?.message.replace('9', '1'));
      }

      await hub().database.db.execute(sql`update pairing.ceremony_package set status = 'SIGNED', signed_at = now() where ceremony_id = ${id}`);
      const signed = await hub().query(SEEN, { id });
      expect(signed.data).toEqual({ ceremonyPackage: { version: 1, status: 'SIGNED' }, ceremony: { packages: [{ version: 1 }], currentPackage: { version: 1 } } });
    });

    it('gives each line as references the province subgraphs resolve, and reads the signing when there is one', async () => {
      const id = await ceremony();
      const a = await project({ ceremonyId: id });
      expect((await save({ ceremonyId: id, expectedVersion: 0 })).errors).toBeUndefined();
      const answer = await hub().query(
        `query ($id: ID!) { ceremonyPackage(ceremonyId: $id) {
            lines { project { id titleZh stage ceremony { id } } county { code nameZh } shaanxiSignatory { nameZh } jiangsuOrganization { nameZh city { nameZh } } amount { yuan } }
            id signing { attempts lastError completedAt } } }`,
        { id },
        { token: world.jiangsu },
      );
      expect(answer.errors).toBeUndefined();
      expect(answer.data!.ceremonyPackage.lines).toEqual([
        {
          project: { id: a, titleZh: expect.stringContaining('签约包测试项目'), stage: 'SCHEDULED', ceremony: { id } },
          county: { code: '610924', nameZh: '紫阳县' },
          shaanxiSignatory: { nameZh: '镇坪县义工协会' },
          jiangsuOrganization: { nameZh: '常州测试慈善基金会', city: { nameZh: '常州市' } },
          amount: { yuan: '5000.00' },
        },
      ]);
      expect(answer.data!.ceremonyPackage.signing).toBeNull();
      // What the signing writes as it goes, read as it stands.
      await hub().database.db.execute(
        sql`insert into pairing.package_signing (package_id, started_by_role, attempts, last_error) values (${answer.data!.ceremonyPackage.id}, 'JIANGSU_OFFICE', 2, 'jiangsu did not answer')`,
      );
      const signing = await hub().query(`query ($id: ID!) { ceremonyPackage(ceremonyId: $id) { signing { attempts lastError completedAt } } }`, { id }, { token: world.jiangsu });
      expect(signing.data!.ceremonyPackage.signing).toEqual({ attempts: 2, lastError: 'jiangsu did not answer', completedAt: null });
    });
  });

  describe('at the same moment', () => {
    /**
     * Runs `race` while another connection holds a SHARE lock on `table`, and lets go once
     * `writers` writes to the table are seen waiting: every request has passed its checks
     * (reads are not blocked) and only the database decides what happens next.
     */
    async function raceAtTable<T>(table: string, writers: number, race: () => Promise<T>): Promise<T> {
      let racing: Promise<T> | undefined;
      await hub().database.db.transaction(async (holder) => {
        await holder.execute(sql.raw(`lock table ${table} in share mode`));
        racing = race();
        racing.catch(() => {});
        await waitForLockWaits(hub(), [`insert into "${table.replace('.', '"."')}"%`], writers, `inserts into ${table}`);
      });
      return racing!;
    }

    it('saves one of two versions saved at one expected version; the other is a VERSION_CONFLICT', async () => {
      const id = await ceremony();
      const a = await project({ ceremonyId: id });
      // The store's write alone, with no check in front of it: the unique (ceremony, version) index decides.
      const store = new PackageStore(hub().database.db);
      const draft = { ceremonyId: id, version: 1, statedTotalFen: 1n, createdByRole: 'SHAANXI_OFFICE', createdBySubject: null, provenanceKind: 'ENTERED' as const, sourceId: null, sourceDetail: null };
      const line = { position: 1, projectId: a, countyCode: '610924', shaanxiSignatoryId: RAISER, jiangsuOrganizationId: world.changzhou, amountFen: 1n };
      const stored = await Promise.all([store.saveDraft(draft, [line]), store.saveDraft(draft, [line])]);
      expect(stored.map((result) => result.type).sort()).toEqual(['saved', 'version-conflict']);
      const rows = await queryRows<{ n: number }>(hub().database.db, sql`select count(*)::int as n from pairing.ceremony_package where ceremony_id = ${id}`);
      expect(rows[0]!.n).toBe(1);

      if (hub().database.kind !== 'postgres') return;
      // Through the graph, both past the version they read before either writes.
      const both = () => Promise.all([save({ ceremonyId: id, expectedVersion: 1 }), save({ ceremonyId: id, expectedVersion: 1 }, world.jiangsu)]);
      const answers = await raceAtTable('pairing.ceremony_package', 2, both);
      expect(answers.map((answer) => answer.errors?.[0]?.extensions?.code ?? 'saved').sort()).toEqual(['VERSION_CONFLICT', 'saved']);
      const versions = await queryRows<{ version: number }>(hub().database.db, sql`select version from pairing.ceremony_package where ceremony_id = ${id} order by version`);
      expect(versions).toEqual([{ version: 1 }, { version: 2 }]);
    });

    it("lets the claim's primary key finalize one of two packages sharing a project, with no check in front of the store's write", async () => {
      const a = await ceremony();
      const b = await ceremony();
      const shared = await project({ ceremonyId: a });
      expect((await save({ ceremonyId: a, expectedVersion: 0 })).errors).toBeUndefined();
      // The store's write alone: the claim's primary key decides between the two.
      expect((await save({ ceremonyId: b, expectedVersion: 0, lines: [{ projectId: shared }] })).errors).toBeUndefined();
      const store = new PackageStore(hub().database.db);
      const packageOf = async (ceremonyId: string) => (await store.packageByVersion(ceremonyId, 1))!.id;
      const freeze = { contentHash: 'test', checks: [], finalizedByRole: 'SHAANXI_OFFICE', finalizedBySubject: null };
      const outcomes = await Promise.all([store.finalize(await packageOf(a), freeze), store.finalize(await packageOf(b), freeze)]);
      expect(outcomes.map((outcome) => outcome.type).sort()).toEqual(['claimed', 'finalized']);
      const claimed = outcomes.find((outcome) => outcome.type === 'claimed');
      expect(claimed).toMatchObject({ claims: [{ projectId: shared }] });
      expect(await queryRows(hub().database.db, sql`select status from pairing.ceremony_package where ceremony_id in (${a}, ${b}) order by status`)).toEqual([
        { status: 'DRAFT' },
        { status: 'FINAL' },
      ]);
    });

    it("finalizes a draft once, only the ceremony's latest, and never past a signed package, with no check in front of the store's write", async () => {
      const id = await ceremony();
      const a = await project({ ceremonyId: id });
      expect((await save({ ceremonyId: id, expectedVersion: 0 })).errors).toBeUndefined();
      const store = new PackageStore(hub().database.db);
      const freeze = { contentHash: 'test', checks: [], finalizedByRole: 'SHAANXI_OFFICE', finalizedBySubject: null };
      const v1 = (await store.packageByVersion(id, 1))!.id;
      const twice = await Promise.all([store.finalize(v1, freeze), store.finalize(v1, freeze)]);
      expect(twice.map((outcome) => outcome.type).sort()).toEqual(['finalized', 'not-draft']);

      expect((await save({ ceremonyId: id, expectedVersion: 1, lines: [{ projectId: a }] })).errors).toBeUndefined();
      expect((await save({ ceremonyId: id, expectedVersion: 2, lines: [{ projectId: a }] })).errors).toBeUndefined();
      const v2 = (await store.packageByVersion(id, 2))!.id;
      expect(await store.finalize(v2, freeze)).toEqual({ type: 'not-latest', latestVersion: 3 });

      await hub().database.db.execute(sql`update pairing.ceremony_package set status = 'SIGNED', signed_at = now() where id = ${v1}`);
      const v3 = (await store.packageByVersion(id, 3))!.id;
      const before = await checksums();
      expect(await store.finalize(v3, freeze)).toEqual({ type: 'signed', version: 1, status: 'SIGNED' });
      expect(await checksums()).toEqual(before);
    });

    it.runIf(process.env.TEST_DATABASE_URL)(
      'through the graph: of two finalizations sharing a project, both past their checks before either writes, one wins',
      async () => {
        const a = await ceremony();
        const b = await ceremony();
        const shared = await project({ ceremonyId: a });
        expect((await save({ ceremonyId: a, expectedVersion: 0 })).errors).toBeUndefined();
        let racing: Promise<GraphQLResult<{ finalizeCeremonyPackage: Package }>>[] = [];
        await hub().database.db.transaction(async (holder) => {
          await holder.execute(sql`lock table pairing.package_project_claim in share mode`);
          // A's finalization passes its checks (the project is scheduled for A) and waits to claim it.
          const first = finalize(a, 1);
          first.catch(() => {});
          await waitForLockWaits(hub(), ['insert into "pairing"."package_project_claim"%'], 1, 'claims');
          // Meanwhile the project comes to stand in B's batch, whose package then passes its checks
          // too. No move takes a SCHEDULED project to another batch (a suspended one resumes to
          // its own), so the batch is changed as data, as an import or an edit by hand would.
          await hub().database.db.execute(sql`update pairing.ceremony_project set ceremony_id = ${b} where project_id = ${shared}::uuid`);
          expect((await save({ ceremonyId: b, expectedVersion: 0 })).errors).toBeUndefined();
          const second = finalize(b, 1, world.shaanxi);
          second.catch(() => {});
          await waitForLockWaits(hub(), ['insert into "pairing"."package_project_claim"%'], 2, 'claims');
          racing = [first, second];
        });
        const [first, second] = await Promise.all(racing);
        const results = [first!, second!];
        const winners = results.filter((result) => !result.errors);
        const losers = results.filter((result) => result.errors);
        expect(winners).toHaveLength(1);
        expect(losers).toHaveLength(1);
        expect(problemsOf(losers[0]!)).toEqual([`1 ${shared} PROJECT_IN_ANOTHER_PACKAGE`]);
        const claims = await queryRows<{ package_id: string }>(hub().database.db, sql`select package_id from pairing.package_project_claim where project_id = ${shared}`);
        expect(claims).toEqual([{ package_id: winners[0]!.data!.finalizeCeremonyPackage.id }]);
        const statuses = await queryRows(hub().database.db, sql`select status from pairing.ceremony_package where ceremony_id in (${a}, ${b}) order by status`);
        expect(statuses).toEqual([{ status: 'DRAFT' }, { status: 'FINAL' }]);
      },
    );
  });

  it('reads a package with many lines, and its checks, in as many statements as a package with two', async () => {
    const QUERY = /* GraphQL */ `
      query ($id: ID!) {
        ceremonyPackage(ceremonyId: $id) {
          version status total { fen } statedTotal { fen }
          checks { kind line passed code }
          lines {
            position amount { fen }
            project { id titleZh stage amountSought { fen } }
            county { code nameZh }
            shaanxiSignatory { id nameZh }
            jiangsuOrganization { id nameZh city { code } }
          }
          ceremony { id titleZh packages { version } currentPackage { version } hosts { id } }
        }
      }
    `;
    const withLines = async (count: number) => {
      const id = await ceremony();
      for (let n = 0; n < count; n += 1) await project({ ceremonyId: id, county: n % 2 === 0 ? '610924' : '610927' });
      expect((await save({ ceremonyId: id, expectedVersion: 0 })).errors).toBeUndefined();
      return id;
    };
    const small = await withLines(2);
    const large = await withLines(12);
    const measure = async (id: string) => {
      const { result, statements } = await hub().countStatements(() => hub().query(QUERY, { id }, { token: world.jiangsu }));
      expect(result.errors).toBeUndefined();
      return { lines: result.data!.ceremonyPackage.lines.length, checks: result.data!.ceremonyPackage.checks.length, statements: statements.length };
    };
    // Drafts: the checks are run on facts gathered as the package is read.
    const [smallDraft, largeDraft] = [await measure(small), await measure(large)];
    expect(smallDraft).toMatchObject({ lines: 2, checks: 2 + 4 * 2 });
    expect(largeDraft).toMatchObject({ lines: 12, checks: 2 + 4 * 12 });
    expect(largeDraft.statements).toBe(smallDraft.statements);
    // Final: the checks it passed are read back.
    expect((await finalize(small, 1)).errors).toBeUndefined();
    expect((await finalize(large, 1)).errors).toBeUndefined();
    const [smallFinal, largeFinal] = [await measure(small), await measure(large)];
    expect(largeFinal.statements).toBe(smallFinal.statements);
  });

  describe('refuses to finalize a package failing a check, naming the line and the code, and writes nothing', () => {
    /** Saves `lines` (or the default lines) as the next draft, then finalizes it, expecting a refusal. */
    async function refused(id: string, input: Record<string, unknown>) {
      const saved = await save({ ceremonyId: id, ...input });
      expect(saved.errors).toBeUndefined();
      const version = saved.data!.saveCeremonyPackage.version;
      const before = await checksums();
      const result = await finalize(id, version);
      expect(result.data).toBeNull();
      expect(await checksums()).toEqual(before);
      const stored = await read(id, version, world.shaanxi);
      expect(stored.data!.ceremonyPackage).toMatchObject({ status: 'DRAFT', contentHash: null });
      return { result, version, draft: stored.data!.ceremonyPackage! };
    }

    it('a project not scheduled for the ceremony: PROJECT_NOT_SCHEDULED', async () => {
      const id = await ceremony();
      const scheduled = await project({ ceremonyId: id });
      const matchedOnly = await project({ stages: ['PUBLISHED', 'MATCHED'] });
      // In this ceremony's batch, but suspended since: not scheduled now.
      const suspended = await project({ ceremonyId: id, stages: ['PUBLISHED', 'MATCHED', 'SCHEDULED', 'SUSPENDED'] });
      const lines = [{ projectId: scheduled }, { projectId: matchedOnly }, { projectId: suspended }];
      const { result, draft } = await refused(id, { expectedVersion: 0, lines });
      expect(problemsOf(result)).toEqual([`2 ${matchedOnly} PROJECT_NOT_SCHEDULED`, `3 ${suspended} PROJECT_NOT_SCHEDULED`]);
      // The draft shows the same failures, with every other check passed.
      expect(draft.checks.filter((check) => !check.passed).map((check) => [check.line, check.kind, check.code])).toEqual([
        [2, 'SCHEDULED_AND_MATCHED', 'PROJECT_NOT_SCHEDULED'],
        [3, 'SCHEDULED_AND_MATCHED', 'PROJECT_NOT_SCHEDULED'],
      ]);
    });

    it('a project listed twice: DUPLICATE_PROJECT on the later line', async () => {
      const id = await ceremony();
      const twice = await project({ ceremonyId: id });
      const other = await project({ ceremonyId: id, county: '610927' });
      const lines = [{ projectId: twice, amount: { fen: 100_000 } }, { projectId: other }, { projectId: twice, amount: { fen: 200_000 } }];
      const { result } = await refused(id, { expectedVersion: 0, lines });
      expect(problemsOf(result)).toEqual([`3 ${twice} DUPLICATE_PROJECT`]);
    });

    it('a Jiangsu organization whose city is not paired with the county: PAIRING_NOT_ALLOWED, until an office records an exception', async () => {
      const id = await ceremony();
      // 南京 is paired with 商洛, not with 安康, where 紫阳县 is.
      const paired = await project({ ceremonyId: id });
      const unpaired = await project({ ceremonyId: id, organizationId: world.nanjing });
      const { result, version } = await refused(id, { expectedVersion: 0 });
      expect(problemsOf(result)).toEqual([`2 ${unpaired} PAIRING_NOT_ALLOWED`]);

      // An exception for another county of 安康 does not cover 紫阳县; one for 紫阳县 does.
      const elsewhere = await hub().query(
        EXCEPTION,
        { input: { agreementId: AGREEMENT, organizationId: world.nanjing, countyCode: '610927', reason: '镇坪县的结对例外' } },
        { token: world.jiangsu },
      );
      expect(elsewhere.errors).toBeUndefined();
      expect(problemsOf(await finalize(id, version))).toEqual([`2 ${unpaired} PAIRING_NOT_ALLOWED`]);
      const recorded = await hub().query(
        EXCEPTION,
        { input: { agreementId: AGREEMENT, organizationId: world.nanjing, countyCode: '610924', reason: '南京测试基金会长期在紫阳县开展助学项目' } },
        { token: world.shaanxi },
      );
      expect(recorded.errors).toBeUndefined();
      expect(recorded.data!.recordPairingException).toMatchObject({
        agreement: { id: AGREEMENT },
        organization: { id: world.nanjing },
        county: { code: '610924' },
        prefecture: null,
        recordedByRole: 'SHAANXI_OFFICE',
        provenance: { kind: 'ENTERED' },
      });
      const draft = await read(id, version, world.shaanxi);
      expect(draft.data!.ceremonyPackage!.checks.find((check) => check.kind === 'PAIRING_ALLOWED' && check.line === 2)).toMatchObject({ passed: true });
      const finalized = await finalize(id, version);
      expect(finalized.errors).toBeUndefined();
      expect(finalized.data!.finalizeCeremonyPackage.lines.map((line) => line.project.id)).toEqual([paired, unpaired]);
    });

    it('an amount over what the project seeks: AMOUNT_OVER_NEED; a need stating none: NEED_STATES_NO_AMOUNT; zero: AMOUNT_NOT_POSITIVE', async () => {
      const id = await ceremony();
      const seeking = await project({ ceremonyId: id, soughtFen: 500_000 });
      const statingNone = await project({ ceremonyId: id, soughtFen: null });
      const modest = await project({ ceremonyId: id, soughtFen: 500_000 });
      const lines = [
        { projectId: seeking, amount: { fen: 500_001 } },
        { projectId: statingNone, amount: { fen: 1 } },
        { projectId: modest, amount: { fen: 0 } },
      ];
      const { result } = await refused(id, { expectedVersion: 0, lines });
      expect(problemsOf(result)).toEqual([`1 ${seeking} AMOUNT_OVER_NEED`, `2 ${statingNone} NEED_STATES_NO_AMOUNT`, `3 ${modest} AMOUNT_NOT_POSITIVE`]);
    });

    it('a stated total other than the sum of the lines: TOTAL_MISMATCH, for the package', async () => {
      const id = await ceremony();
      await project({ ceremonyId: id, soughtFen: 500_000 });
      await project({ ceremonyId: id, soughtFen: 250_000 });
      const { result, draft } = await refused(id, { expectedVersion: 0, statedTotal: { fen: 750_001 } });
      expect(draft).toMatchObject({ total: { fen: 750_000 }, statedTotal: { fen: 750_001 } });
      expect(problemsOf(result)).toEqual(['- - TOTAL_MISMATCH']);
    });

    it("a project in another ceremony's final package: PROJECT_IN_ANOTHER_PACKAGE", async () => {
      const first = await ceremony();
      const held = await project({ ceremonyId: first });
      expect((await save({ ceremonyId: first, expectedVersion: 0 })).errors).toBeUndefined();
      expect((await finalize(first, 1)).errors).toBeUndefined();
      const second = await ceremony();
      const own = await project({ ceremonyId: second });
      const { result } = await refused(second, { expectedVersion: 0, lines: [{ projectId: own }, { projectId: held }] });
      expect(problemsOf(result)).toEqual([`2 ${held} PROJECT_NOT_SCHEDULED`, `2 ${held} PROJECT_IN_ANOTHER_PACKAGE`]);
    });

    it('an empty package: EMPTY_PACKAGE', async () => {
      const id = await ceremony();
      const { result } = await refused(id, { expectedVersion: 0 });
      expect(problemsOf(result)).toEqual(['- - EMPTY_PACKAGE']);
    });
  });
});

describe('ceremony packages with each subgraph its own service', () => {
  const { world, schedule, project, save, finalize } = setUp('distributed');

  it('asks both provinces over HTTP for hosts, needs, organizations and pairings, and finalizes a package', async () => {
    const scheduled = await schedule({ hosts: [{ id: 'sn-civil-affairs-department', province: 'SHAANXI' }, { id: world.changzhou, province: 'JIANGSU' }] });
    expect(scheduled.errors).toBeUndefined();
    const id = scheduled.data!.scheduleCeremony.id as string;
    expect(scheduled.data!.scheduleCeremony.hosts.map((host: { id: string }) => host.id).sort()).toEqual([world.changzhou, 'sn-civil-affairs-department'].sort());
    const paired = await project({ ceremonyId: id, soughtFen: 600_000 });
    const unpaired = await project({ ceremonyId: id, organizationId: world.nanjing, soughtFen: 200_000 });
    const saved = await save({ ceremonyId: id, expectedVersion: 0 });
    expect(saved.errors).toBeUndefined();
    expect(saved.data!.saveCeremonyPackage.lines.map((line) => [line.project.id, line.shaanxiSignatory.id, line.jiangsuOrganization.id, line.amount.fen])).toEqual([
      [paired, RAISER, world.changzhou, 600_000],
      [unpaired, RAISER, world.nanjing, 200_000],
    ]);
    expect(problemsOf(await finalize(id, 1))).toEqual([`2 ${unpaired} PAIRING_NOT_ALLOWED`]);
    const exception = await world.hub.query(
      EXCEPTION,
      { input: { agreementId: AGREEMENT, organizationId: world.nanjing, prefectureCode: '610900', reason: '南京测试基金会在安康全市的例外' } },
      { token: world.jiangsu },
    );
    expect(exception.errors).toBeUndefined();
    const finalized = await finalize(id, 1);
    expect(finalized.errors).toBeUndefined();
    expect(finalized.data!.finalizeCeremonyPackage).toMatchObject({
      status: 'FINAL',
      contentHash: expectedHash(id, 1, [[paired, '610924', RAISER, world.changzhou, 600_000], [unpaired, '610924', RAISER, world.nanjing, 200_000]], 800_000),
    });
  });
});
