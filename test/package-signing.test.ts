import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { openDatabase, queryRows, type Db } from '@hub/db';
import { serviceIdentity, type Identity } from '@hub/common';
import { DEVELOPMENT_SECRETS, signIdentity } from '@hub/server';
import { mintToken } from '@hub/gateway';
import { LEDGER_TABLES, moveThrough, spawnHubProcess, startTestHub, tableChecksums, tablesOf, type HubProcess, type TestHub, type Topology } from '@hub/testkit';
import { insertDemoJiangsuOrganization, insertFinalPackage } from './support/final-package.ts';
import { PackageStore } from '../subgraphs/pairing/src/store/package-store.ts';
import { SigningStore } from '../subgraphs/pairing/src/store/signing-store.ts';

/**
 * Signing a ceremony package is all or nothing across the pairing and the Jiangsu books
 * (docs/decisions/0023-signing-a-package.md): every project SIGNED and every line's commitment
 * recorded once, or none of it. A failure at any step leaves nothing, or, once recovered, all.
 *
 * The fixture, from the public record: 安康 (610900) is paired with 常州 (320400); 紫阳县 610924
 * and 镇坪县 610927 are counties of 安康; 镇坪县义工协会 raises the needs; a foundation based in
 * 常州 is created for each hub and matched with every project.
 */
const AGREEMENT = 'su-shaan-social-organizations-2017';
const RAISER = 'sn-zhenping-volunteer-association';
/** What each line's project seeks, and so commits: a different amount per line, so a line's commitment is recognisable. */
const AMOUNTS = [310_000, 420_000, 530_000];

const PACKAGE = /* GraphQL */ `
  id version status signedAt
  signing { startedAt commitmentsRecordedAt completedAt attempts lastError }
  lines { position project { id } amount { fen } }
`;
const SIGN = `mutation ($input: PackageVersionInput!) { signCeremonyPackage(input: $input) { ${PACKAGE} } }`;
const READ = `query ($ceremonyId: ID!, $version: Int) { ceremonyPackage(ceremonyId: $ceremonyId, version: $version) { ${PACKAGE} } }`;

interface Signing {
  startedAt: string;
  commitmentsRecordedAt: string | null;
  completedAt: string | null;
  attempts: number;
  lastError: string | null;
}
interface Package {
  id: string;
  version: number;
  status: string;
  signedAt: string | null;
  signing: Signing | null;
}

/** A final package of `AMOUNTS.length` lines, its projects, and what its lines commit. */
interface Prepared {
  ceremonyId: string;
  version: number;
  packageId: string;
  projects: string[];
}

/** Sends operations to a hub: the test kit's, or a hub process of its own. */
type Send = (document: string, variables: Record<string, unknown>, token?: string) => Promise<{ data?: any; errors?: { message: string; extensions?: Record<string, any> }[] }>;

/** Tokens and a foundation in 常州 for one hub. */
interface Actors {
  shaanxi: string;
  jiangsu: string;
  changzhou: string;
}

async function actorsOf(send: Send, token: (role: 'SHAANXI_OFFICE' | 'JIANGSU_OFFICE') => Promise<string>): Promise<Actors> {
  const shaanxi = await token('SHAANXI_OFFICE');
  const jiangsu = await token('JIANGSU_OFFICE');
  const created = await send(
    `mutation ($input: CreateJiangsuOrganizationInput!) { createJiangsuOrganization(input: $input) { id } }`,
    { input: { nameZh: `常州签约测试基金会${randomUUID().slice(0, 6)}`, kind: 'FOUNDATION', cityCode: '320400' } },
    jiangsu,
  );
  expect(created.errors).toBeUndefined();
  return { shaanxi, jiangsu, changzhou: created.data.createJiangsuOrganization.id };
}

async function scheduleCeremony(send: Send, actors: Actors): Promise<string> {
  const scheduled = await send(
    `mutation ($input: ScheduleCeremonyInput!) { scheduleCeremony(input: $input) { id } }`,
    {
      input: {
        agreementId: AGREEMENT,
        titleZh: '江苏社会组织助力安康脱贫项目签约仪式',
        heldOn: '2026-06-18',
        cityCode: '610900',
        venue: '安康市民政局',
        hosts: [
          { id: 'js-civil-affairs-department', province: 'JIANGSU' },
          { id: 'sn-civil-affairs-department', province: 'SHAANXI' },
        ],
      },
    },
    actors.shaanxi,
  );
  expect(scheduled.errors).toBeUndefined();
  return scheduled.data.scheduleCeremony.id;
}

/** A need of 紫阳县 seeking `soughtFen`, moved by the Shaanxi office to SCHEDULED for the ceremony. */
async function scheduledProject(send: Send, actors: Actors, ceremonyId: string, soughtFen: number, organizationId = actors.changzhou): Promise<string> {
  const raised = await send(
    `mutation ($input: RaiseProjectNeedInput!) { raiseProjectNeed(input: $input) { id } }`,
    {
      input: {
        countyCode: '610924',
        raisedByOrganizationId: RAISER,
        titleZh: `紫阳县签约测试项目 ${randomUUID().slice(0, 8)}`,
        field: 'EDUCATION',
        amountSought: { fen: soughtFen },
      },
    },
    actors.shaanxi,
  );
  expect(raised.errors).toBeUndefined();
  const id = raised.data.raiseProjectNeed.id as string;
  let version = 0;
  for (const [to, extra] of [
    ['PUBLISHED', {}],
    ['MATCHED', { organizationId }],
    ['SCHEDULED', { ceremonyId }],
  ] as const) {
    const moved = await send(
      `mutation ($input: MoveProjectInput!) { moveProject(input: $input) { pipelineVersion } }`,
      { input: { projectId: id, to, expectedVersion: version, ...extra } },
      actors.shaanxi,
    );
    expect(moved.errors).toBeUndefined();
    version = moved.data.moveProject.pipelineVersion;
  }
  return id;
}

/** A ceremony and its package of three lines, saved from the projects scheduled for it and finalized through the graph. */
async function finalPackage(send: Send, actors: Actors): Promise<Prepared> {
  const ceremonyId = await scheduleCeremony(send, actors);
  const projects: string[] = [];
  for (const amount of AMOUNTS) projects.push(await scheduledProject(send, actors, ceremonyId, amount));
  const saved = await send(
    `mutation ($input: SaveCeremonyPackageInput!) { saveCeremonyPackage(input: $input) { version } }`,
    { input: { ceremonyId, expectedVersion: 0 } },
    actors.shaanxi,
  );
  expect(saved.errors).toBeUndefined();
  const finalized = await send(
    `mutation ($input: PackageVersionInput!) { finalizeCeremonyPackage(input: $input) { id version status lines { project { id } amount { fen } } } }`,
    { input: { ceremonyId, version: saved.data.saveCeremonyPackage.version } },
    actors.jiangsu,
  );
  expect(finalized.errors).toBeUndefined();
  const pkg = finalized.data.finalizeCeremonyPackage;
  expect(pkg.status).toBe('FINAL');
  expect(pkg.lines).toEqual(projects.map((id, index) => ({ project: { id }, amount: { fen: AMOUNTS[index] } })));
  return { ceremonyId, version: pkg.version, packageId: pkg.id, projects };
}

/**
 * The books of one package as they stand, read from the tables: each project's stage and
 * hold, the commitments recorded for the projects, the package's status and the ceremony's
 * declared figures.
 */
async function booksOf(db: Db, prepared: Prepared) {
  const projects = sql.join(prepared.projects.map((id) => sql`${id}::uuid`), sql`, `);
  const stages = await queryRows<{ project_id: string; stage: string; held: boolean }>(
    db,
    sql`select project_id, stage, signing_package_id is not null as held from pairing.project_pipeline where project_id in (${projects})`,
  );
  const commitments = await queryRows<{ project_id: string; organization_id: string; amount_fen: string; idempotency_key: string }>(
    db,
    sql`select project_id, organization_id, amount_fen::text, idempotency_key from jiangsu.funding_entry
        where kind = 'COMMITMENT' and project_id in (${projects}) order by amount_fen`,
  );
  const signedEvents = await queryRows<{ project_id: string; actor_role: string; note: string | null }>(
    db,
    sql`select project_id, actor_role, note from pairing.stage_event where to_stage = 'SIGNED' and project_id in (${projects})`,
  );
  const [pkg] = await queryRows<{ status: string }>(db, sql`select status from pairing.ceremony_package where id = ${prepared.packageId}`);
  const [ceremony] = await queryRows<{ declared_project_count: number; declared_total_fen: string }>(
    db,
    sql`select declared_project_count, declared_total_fen::text from pairing.ceremony where id = ${prepared.ceremonyId}`,
  );
  return {
    status: pkg!.status,
    signed: stages.filter((row) => row.stage === 'SIGNED').length,
    held: stages.filter((row) => row.held).length,
    signedEvents,
    commitments,
    ceremony: { count: ceremony!.declared_project_count, totalFen: ceremony!.declared_total_fen },
  };
}

/** The whole of a signed package: every project SIGNED once, every line's commitment once, with its amount, from its organization. */
function expectAllSigned(books: Awaited<ReturnType<typeof booksOf>>, prepared: Prepared, organizationId: string) {
  expect(books.status).toBe('SIGNED');
  expect(books.signed).toBe(prepared.projects.length);
  expect(books.held).toBe(0);
  expect(books.signedEvents).toHaveLength(prepared.projects.length);
  expect(books.commitments.map((row) => [row.project_id, row.organization_id, row.amount_fen])).toEqual(
    prepared.projects.map((id, index) => [id, organizationId, String(AMOUNTS[index])]),
  );
  expect(books.ceremony).toEqual({ count: AMOUNTS.length, totalFen: String(AMOUNTS.reduce((sum, amount) => sum + amount, 0)) });
}

/** None of it: no project signed or held, no commitment, the package FINAL. */
function expectNothingSigned(books: Awaited<ReturnType<typeof booksOf>>) {
  expect(books).toMatchObject({ status: 'FINAL', signed: 0, held: 0, signedEvents: [], commitments: [], ceremony: { count: 0, totalFen: '0' } });
}

async function until<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 20_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function onTestHub(topology: Topology, env: Record<string, string>) {
  const world = {} as { hub: TestHub; send: Send; actors: Actors };
  beforeAll(async () => {
    world.hub = await startTestHub(topology, env);
    world.send = (document, variables, token) => world.hub.query(document, variables, token ? { token } : {});
    world.actors = await actorsOf(world.send, (role) => world.hub.token(role));
  });
  afterAll(() => world.hub?.stop());
  return world;
}

const sign = (send: Send, prepared: Pick<Prepared, 'ceremonyId' | 'version'>, token?: string) =>
  send(SIGN, { input: { ceremonyId: prepared.ceremonyId, version: prepared.version } }, token);

describe('signing a package, all-in-one', () => {
  // The recovery tries again every 200 ms, so that a test sees it converge quickly.
  const world = onTestHub('all-in-one', { SIGNING_RETRY_MS: '200' });

  it('signs every project and records every line\'s commitment once; the ceremony declares the package', async () => {
    const { hub, send, actors } = world;
    const prepared = await finalPackage(send, actors);
    const signed = await sign(send, prepared, actors.jiangsu);
    expect(signed.errors).toBeUndefined();
    const pkg = signed.data.signCeremonyPackage as Package;
    expect(pkg).toMatchObject({ id: prepared.packageId, status: 'SIGNED', signedAt: expect.any(String) });
    expect(pkg.signing).toMatchObject({ attempts: 1, lastError: null, commitmentsRecordedAt: expect.any(String), completedAt: expect.any(String) });

    const books = await booksOf(hub.database.db, prepared);
    expectAllSigned(books, prepared, actors.changzhou);
    // Each project's move names who signed and which package version.
    expect(books.signedEvents.every((event) => event.actor_role === 'JIANGSU_OFFICE' && event.note?.includes(`version ${prepared.version}`))).toBe(true);

    // As the graph shows it: the stage and each line's commitment.
    const shown = await send(
      `query ($id: ID!) { project(id: $id) { stage committed { fen } fundingEntries { kind amount { fen } organization { id } } } }`,
      { id: prepared.projects[1] },
    );
    expect(shown.data.project).toEqual({
      stage: 'SIGNED',
      committed: { fen: AMOUNTS[1] },
      fundingEntries: [{ kind: 'COMMITMENT', amount: { fen: AMOUNTS[1] }, organization: { id: actors.changzhou } }],
    });
    const ceremony = await send(`query ($id: ID!) { ceremony(id: $id) { declaredProjectCount declaredTotal { fen } } }`, { id: prepared.ceremonyId });
    expect(ceremony.data.ceremony).toEqual({ declaredProjectCount: 3, declaredTotal: { fen: 1_260_000 } });
  });

  it('records nothing new when a signed package is signed again, by either office', async () => {
    const { hub, send, actors } = world;
    const prepared = await finalPackage(send, actors);
    expect((await sign(send, prepared, actors.shaanxi)).errors).toBeUndefined();
    const tables = await tablesOf(hub.database.db, ['pairing', 'jiangsu', 'shaanxi']);
    const before = await tableChecksums(hub.database.db, tables);

    const again = await sign(send, prepared, actors.jiangsu);
    const thrice = await sign(send, prepared, actors.shaanxi);
    expect(again.errors).toBeUndefined();
    expect(thrice.data.signCeremonyPackage).toMatchObject({ id: prepared.packageId, status: 'SIGNED' });
    expect(await tableChecksums(hub.database.db, tables)).toEqual(before);
  });

  it('signs only a final package, and only for an office', async () => {
    const { send, actors } = world;
    const ceremonyId = await scheduleCeremony(send, actors);
    await scheduledProject(send, actors, ceremonyId, 200_000);
    const saved = await send(`mutation ($input: SaveCeremonyPackageInput!) { saveCeremonyPackage(input: $input) { version } }`, { input: { ceremonyId, expectedVersion: 0 } }, actors.shaanxi);
    const draft = await sign(send, { ceremonyId, version: saved.data.saveCeremonyPackage.version }, actors.shaanxi);
    expect(draft.errors?.[0]?.extensions).toMatchObject({ code: 'PACKAGE_NOT_FINAL', status: 'DRAFT' });
    const unknown = await sign(send, { ceremonyId, version: 99 }, actors.shaanxi);
    expect(unknown.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const anonymous = await sign(send, { ceremonyId, version: 1 });
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('refuses a final package to a member of its lines\' organization and to the public, writing nothing', async () => {
    const { hub, send, actors } = world;
    const prepared = await finalPackage(send, actors);
    const tables = await tablesOf(hub.database.db, ['pairing', 'jiangsu']);
    const before = await tableChecksums(hub.database.db, tables);

    // The foundation every line commits: it signs the agreement at the ceremony, but the package is the offices' to sign.
    const member = await sign(send, prepared, await hub.token('FOUNDATION_MEMBER', actors.changzhou));
    expect(member.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', role: 'FOUNDATION_MEMBER' });
    const anonymous = await sign(send, prepared);
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(await tableChecksums(hub.database.db, tables)).toEqual(before);
    expectNothingSigned(await booksOf(hub.database.db, prepared));
  });

  it('refuses a package one of whose projects left SCHEDULED since it was finalized, naming the line, and writes nothing', async () => {
    const { hub, send, actors } = world;
    const prepared = await finalPackage(send, actors);
    await moveThrough(hub, prepared.projects[1]!, ['SUSPENDED'], actors.shaanxi);
    const tables = [...(await tablesOf(hub.database.db, ['pairing'])), ...LEDGER_TABLES];
    const before = await tableChecksums(hub.database.db, tables);

    const refused = await sign(send, prepared, actors.shaanxi);
    expect(refused.errors?.[0]?.extensions).toMatchObject({
      code: 'PACKAGE_CHECKS_FAILED',
      problems: [{ line: 2, projectId: prepared.projects[1], kind: 'SCHEDULED_AND_MATCHED', code: 'PROJECT_NOT_SCHEDULED' }],
    });
    expect(await tableChecksums(hub.database.db, tables)).toEqual(before);
  });

  it('refuses a package that no longer passes its checks (a need now seeking less than its line), naming the line, and writes nothing', async () => {
    const { hub, send, actors } = world;
    const prepared = await finalPackage(send, actors);
    const need = await send(`query ($id: ID!) { project(id: $id) { needVersion } }`, { id: prepared.projects[0] }, actors.shaanxi);
    const edited = await send(
      `mutation ($id: ID!, $v: Int!) { updateProjectNeed(id: $id, expectedVersion: $v, input: { amountSought: { fen: 100 } }) { id } }`,
      { id: prepared.projects[0], v: need.data.project.needVersion },
      actors.shaanxi,
    );
    expect(edited.errors).toBeUndefined();
    const tables = await tablesOf(hub.database.db, ['pairing', 'jiangsu']);
    const before = await tableChecksums(hub.database.db, tables);

    // Line 1 commits 3,100 yuan; the need now seeks 1 yuan.
    const refused = await sign(send, prepared, actors.jiangsu);
    expect(refused.errors?.[0]?.extensions).toMatchObject({
      code: 'PACKAGE_CHECKS_FAILED',
      problems: [{ line: 1, projectId: prepared.projects[0], kind: 'AMOUNT_WITHIN_NEED', code: 'AMOUNT_OVER_NEED' }],
    });
    expect(await tableChecksums(hub.database.db, tables)).toEqual(before);
  });

  it('decides a signing only for projects still SCHEDULED in the batch, whatever was checked before the decision', async () => {
    // The checks run before the decision; a move can land between them, so the decision's own
    // UPDATE holds only projects still at SCHEDULED in this ceremony's batch, or none.
    const { hub, send, actors } = world;
    const prepared = await finalPackage(send, actors);
    await moveThrough(hub, prepared.projects[2]!, ['SUSPENDED'], actors.shaanxi);
    const pkg = await new PackageStore(hub.database.db).packageByVersion(prepared.ceremonyId, prepared.version);
    const tables = await tablesOf(hub.database.db, ['pairing', 'jiangsu']);
    const before = await tableChecksums(hub.database.db, tables);
    const decided = await new SigningStore(hub.database.db).decide(pkg!, { role: 'JIANGSU_OFFICE', subject: 'test' }, 60_000);
    expect(decided).toMatchObject({ type: 'not-scheduled', positions: [3] });
    expect(await tableChecksums(hub.database.db, tables)).toEqual(before);
  });

  it("lets a try that ran past its claim leave the claim another try took since, and that one's reason, alone", async () => {
    const { hub, send, actors } = world;
    const db = hub.database.db;
    const prepared = await finalPackage(send, actors);
    const pkg = await new PackageStore(db).packageByVersion(prepared.ceremonyId, prepared.version);
    const store = new SigningStore(db);
    const decided = await store.decide(pkg!, { role: 'JIANGSU_OFFICE', subject: 'test' }, 60_000);
    expect(decided.type).toBe('decided');
    const first = (decided as { signing: { packageId: string; claimedUntil: Date | null } }).signing;
    // The first try runs past its claim; a second takes the signing.
    await db.execute(sql`update pairing.package_signing set claimed_until = now() - interval '1 second' where package_id = ${prepared.packageId}::uuid`);
    const second = await store.claim(prepared.packageId, 60_000);
    expect(second?.claimedUntil).toBeInstanceOf(Date);
    const signingRow = async () =>
      (await queryRows<{ claimed: boolean; last_error: string | null }>(
        db,
        sql`select claimed_until > now() as claimed, last_error from pairing.package_signing where package_id = ${prepared.packageId}::uuid`,
      ))[0];

    // The first try now fails and lets go: of its own claim only, which is no longer there.
    await store.release(first, 'the first try failed late');
    expect(await signingRow()).toEqual({ claimed: true, last_error: null });
    // The second try's release lets go of its own claim, and keeps its reason.
    await store.release(second!, 'the second try could not reach Jiangsu');
    expect(await signingRow()).toEqual({ claimed: null, last_error: 'the second try could not reach Jiangsu' });
    // Sign it through, so the package leaves nothing pending behind this test.
    expect((await sign(send, prepared, actors.jiangsu)).errors).toBeUndefined();
  });

  it("refuses a package one of whose projects is in another ceremony's batch since it was finalized, naming the line, and writes nothing", async () => {
    const { hub, send, actors } = world;
    const prepared = await finalPackage(send, actors);
    // No move of the pipeline takes a project at SCHEDULED into another ceremony's batch:
    // SCHEDULED goes back to no earlier stage, and a suspended project resumes to the batch it
    // left. So the batch is changed as data, as it would stand after an import or an edit by
    // hand; the decision still signs no project out of this ceremony's batch.
    const other = await scheduleCeremony(send, actors);
    await hub.database.db.execute(sql`update pairing.ceremony_project set ceremony_id = ${other} where project_id = ${prepared.projects[1]}::uuid`);
    const moved = await send(`query ($id: ID!) { project(id: $id) { stage ceremony { id } } }`, { id: prepared.projects[1] });
    expect(moved.data.project).toEqual({ stage: 'SCHEDULED', ceremony: { id: other } });
    const tables = await tablesOf(hub.database.db, ['pairing', 'jiangsu']);
    const before = await tableChecksums(hub.database.db, tables);

    const refused = await sign(send, prepared, actors.jiangsu);
    expect(refused.errors).toHaveLength(1);
    expect(refused.errors![0]!.extensions).toMatchObject({
      code: 'PACKAGE_CHECKS_FAILED',
      problems: [{ line: 2, projectId: prepared.projects[1], code: 'PROJECT_NOT_SCHEDULED' }],
    });
    expect(refused.errors![0]!.extensions!.problems).toHaveLength(1);
    expect(await tableChecksums(hub.database.db, tables)).toEqual(before);
  });

  it('(a) takes the signing back when the Jiangsu books refuse a line: nothing signed, nothing committed, the package FINAL again', async () => {
    const { hub, send, actors } = world;
    // The graph refuses to save a package whose Jiangsu organization is demo data in a real
    // ceremony, so this one is written as data from before those rules would be: the Jiangsu
    // books' own rule is what stops it at step 2. (A line over the entry limit cannot be
    // reached at all: a line's amount has the same limit as an entry.)
    const demo = `js-demo-${randomUUID().slice(0, 8)}`;
    await insertDemoJiangsuOrganization(hub.database.db, demo, '示例常州基金会', '320400');
    const ceremonyId = await scheduleCeremony(send, actors);
    const projects = [
      await scheduledProject(send, actors, ceremonyId, AMOUNTS[0]!),
      await scheduledProject(send, actors, ceremonyId, AMOUNTS[1]!),
      await scheduledProject(send, actors, ceremonyId, AMOUNTS[2]!),
    ];
    // Nor is a demo organization matched with a real project any more: that match is data too.
    await hub.database.db.execute(sql`update pairing.project_pipeline set matched_organization_id = ${demo} where project_id = ${projects[1]!}::uuid`);
    const fixture = await insertFinalPackage(
      hub.database.db,
      ceremonyId,
      projects.map((projectId, index) => ({
        projectId,
        countyCode: '610924',
        shaanxiSignatoryId: RAISER,
        jiangsuOrganizationId: index === 1 ? demo : actors.changzhou,
        amountFen: AMOUNTS[index]!,
      })),
    );
    const prepared: Prepared = { ceremonyId, version: fixture.version, packageId: fixture.id, projects };
    const tables = [...(await tablesOf(hub.database.db, ['pairing'])).filter((table) => table !== 'pairing.package_signing'), ...LEDGER_TABLES];
    const before = await tableChecksums(hub.database.db, tables);

    const refused = await sign(send, prepared, actors.shaanxi);
    expect(refused.errors).toHaveLength(1);
    expect(refused.errors![0]!.extensions).toMatchObject({ code: 'PROVENANCE_MISMATCH', line: 2 });
    expectNothingSigned(await booksOf(hub.database.db, prepared));
    // Every table as it was, the package FINAL again; the signing keeps why it was refused.
    expect(await tableChecksums(hub.database.db, tables)).toEqual(before);
    const read = await send(READ, { ceremonyId, version: fixture.version }, actors.shaanxi);
    expect(read.data.ceremonyPackage).toMatchObject({ status: 'FINAL', signing: { completedAt: null, commitmentsRecordedAt: null } });
    expect(read.data.ceremonyPackage.signing.lastError).toMatch(/Refused by the Jiangsu books: Line 2/);
    // A project of the package moves again as soon as the signing is taken back.
    expect((await moveThrough(hub, projects[0]!, ['SUSPENDED'], actors.shaanxi)) > 0).toBe(true);
  });

  it('(a) takes the signing back when the Jiangsu books refuse the last line inside their transaction: the lines before it are not kept', async () => {
    const { hub, send, actors } = world;
    const prepared = await finalPackage(send, actors);
    // Jiangsu's books already hold nearly a project's limit of commitments for the third line's
    // project (written as data: commitments come only at signing), so its commitment crosses the
    // limit when the database checks the project's total, after lines 1 and 2 were written.
    await hub.database.db.execute(
      sql`insert into jiangsu.funding_project_total (project_id, committed_fen) values (${prepared.projects[2]}, ${100_000_000_000 - 100_000})`,
    );
    const tables = [...(await tablesOf(hub.database.db, ['pairing'])).filter((table) => table !== 'pairing.package_signing'), ...LEDGER_TABLES];
    const before = await tableChecksums(hub.database.db, tables);

    const refused = await sign(send, prepared, actors.jiangsu);
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'AMOUNT_LIMIT_EXCEEDED', limit: 'PROJECT_TOTAL', line: 3 });
    expectNothingSigned(await booksOf(hub.database.db, prepared));
    expect(await tableChecksums(hub.database.db, tables)).toEqual(before);
  });

  it('(a) takes the signing back when another of the Jiangsu books\' checks refuses a line: a coded refusal, not a failure to try again', async () => {
    const { hub, send, actors } = world;
    const prepared = await finalPackage(send, actors);
    const db = hub.database.db;
    // A rule of the books that line 2's commitment breaks (added for the test, for new rows only):
    // the database refuses it inside the Jiangsu transaction, as it would any check of the books.
    await db.execute(
      sql.raw(`alter table jiangsu.funding_entry add constraint test_refuse_line check (idempotency_key <> 'hub:package:${prepared.packageId}:line:2') not valid`),
    );
    const tables = [...(await tablesOf(db, ['pairing'])).filter((table) => table !== 'pairing.package_signing'), ...(await tablesOf(db, ['jiangsu']))];
    const before = await tableChecksums(db, tables);
    try {
      const refused = await sign(send, prepared, actors.jiangsu);
      expect(refused.errors).toHaveLength(1);
      expect(refused.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', line: 2, check: 'test_refuse_line' });
    } finally {
      await db.execute(sql`alter table jiangsu.funding_entry drop constraint test_refuse_line`);
    }
    expectNothingSigned(await booksOf(db, prepared));
    expect(await tableChecksums(db, tables)).toEqual(before);
    const read = await send(READ, { ceremonyId: prepared.ceremonyId, version: prepared.version }, actors.shaanxi);
    expect(read.data.ceremonyPackage.signing.lastError).toMatch(/Refused by the Jiangsu books: Line 2/);
    // Taken back whole: signed afresh once the books take the line.
    expect((await sign(send, prepared, actors.jiangsu)).errors).toBeUndefined();
    expectAllSigned(await booksOf(db, prepared), prepared, actors.changzhou);
  });

  it('keeps a signing whose Jiangsu books fail inside, trying again less and less often, and records nothing until they take it', async () => {
    const { hub, send, actors } = world;
    const prepared = await finalPackage(send, actors);
    const db = hub.database.db;
    // Jiangsu fails inside (no refusal of its books) at every line of this package.
    await db.execute(sql.raw(`create function jiangsu.test_fail_entry() returns trigger language plpgsql as $$
      begin if new.idempotency_key like 'hub:package:${prepared.packageId}:%' then raise exception 'the books fail for the test'; end if; return new; end; $$`));
    await db.execute(sql`create trigger test_fail_entry before insert on jiangsu.funding_entry for each row execute function jiangsu.test_fail_entry()`);
    try {
      const pending = await sign(send, prepared, actors.jiangsu);
      expect(pending.errors?.[0]?.extensions).toMatchObject({ code: 'SIGNING_PENDING', changeMade: 'PENDING', subgraph: 'jiangsu' });
      // The recovery (every 200 ms here) tries after 200 ms, then 400, 800, 1600, 3200: five tries in
      // four seconds, the caller's first among them. Every 200 ms would be some twenty.
      await new Promise((resolve) => setTimeout(resolve, 4_000));
      const read = await send(READ, { ceremonyId: prepared.ceremonyId, version: prepared.version }, actors.shaanxi);
      expect(read.data.ceremonyPackage).toMatchObject({ status: 'SIGNING', signing: { commitmentsRecordedAt: null, completedAt: null } });
      expect(read.data.ceremonyPackage.signing.attempts).toBeGreaterThanOrEqual(3);
      expect(read.data.ceremonyPackage.signing.attempts).toBeLessThanOrEqual(6);
      expect(read.data.ceremonyPackage.signing.lastError).toMatch(/Jiangsu books failed while recording/);
      expect(await booksOf(db, prepared)).toMatchObject({ status: 'SIGNING', signed: 0, held: 3, commitments: [] });
    } finally {
      await db.execute(sql`drop trigger test_fail_entry on jiangsu.funding_entry`);
      await db.execute(sql`drop function jiangsu.test_fail_entry()`);
    }
    // An office signing again tries at once, whatever the recovery's wait.
    const signed = await sign(send, prepared, actors.jiangsu);
    expect(signed.errors).toBeUndefined();
    expectAllSigned(await booksOf(db, prepared), prepared, actors.changzhou);
  });

  it("refuses a caller's idempotency key in the form the hub gives a package line's commitment", async () => {
    const { send, actors } = world;
    const prepared = await finalPackage(send, actors);
    const member = await world.hub.token('FOUNDATION_MEMBER', actors.changzhou);
    const pledge = await send(
      `mutation ($input: FundingEntryInput!) { recordPledge(input: $input) { id } }`,
      { input: { projectId: prepared.projects[0], organizationId: actors.changzhou, amount: { fen: 1_000 }, idempotencyKey: `hub:package:${prepared.packageId}:line:1` } },
      member,
    );
    expect(pledge.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.idempotencyKey' });
    expect((await sign(send, prepared, actors.jiangsu)).errors).toBeUndefined();
  });
});

describe('signing a package when its steps fail, all-in-one, recovered by signing again', () => {
  // The recovery runs at start only (a minute is longer than any test): each recovery here is the caller's.
  const world = onTestHub('all-in-one', { SIGNING_RETRY_MS: '60000' });

  it('(c) keeps a signing whose projects cannot be moved: commitments recorded once, no project signed, until a retry finishes it', async () => {
    const { hub, send, actors } = world;
    const prepared = await finalPackage(send, actors);
    const db = hub.database.db;
    await db.execute(sql`create function pairing.test_refuse_stage_event() returns trigger language plpgsql as $$
      begin raise exception 'stage events refused by the test'; end; $$`);
    await db.execute(sql`create trigger test_refuse_stage_event before insert on pairing.stage_event for each row execute function pairing.test_refuse_stage_event()`);
    try {
      const pending = await sign(send, prepared, actors.jiangsu);
      expect(pending.errors?.[0]?.extensions).toMatchObject({ code: 'SIGNING_PENDING', changeMade: 'PENDING', subgraph: 'pairing' });
      expect(pending.errors![0]!.message).not.toMatch(/test|stage events refused/);
      let books = await booksOf(db, prepared);
      expect(books).toMatchObject({ status: 'SIGNING', signed: 0, held: 3, signedEvents: [] });
      expect(books.commitments).toHaveLength(3);

      // Held: nothing else moves the projects meanwhile.
      const move = await send(
        `mutation ($input: MoveProjectInput!) { moveProject(input: $input) { stage } }`,
        { input: { projectId: prepared.projects[0], to: 'SUSPENDED', expectedVersion: 3 } },
        actors.shaanxi,
      );
      expect(move.errors?.[0]?.extensions).toMatchObject({ code: 'PROJECT_BEING_SIGNED', packageId: prepared.packageId });

      // Tried again while step 3 still fails: the commitments are not recorded twice.
      const again = await sign(send, prepared, actors.shaanxi);
      expect(again.errors?.[0]?.extensions?.code).toBe('SIGNING_PENDING');
      books = await booksOf(db, prepared);
      expect(books).toMatchObject({ status: 'SIGNING', signed: 0 });
      expect(books.commitments).toHaveLength(3);
    } finally {
      await db.execute(sql`drop trigger test_refuse_stage_event on pairing.stage_event`);
      await db.execute(sql`drop function pairing.test_refuse_stage_event()`);
    }

    const recovered = await sign(send, prepared, actors.shaanxi);
    expect(recovered.errors).toBeUndefined();
    expect(recovered.data.signCeremonyPackage).toMatchObject({ status: 'SIGNED', signing: { attempts: 3, lastError: null } });
    const books = await booksOf(db, prepared);
    expectAllSigned(books, prepared, actors.changzhou);
    // The stage events name who started the signing, not who finished it.
    expect(books.signedEvents.every((event) => event.actor_role === 'JIANGSU_OFFICE')).toBe(true);
  });
});

describe('signing a package whose answer from Jiangsu is lost, all-in-one, recovered by signing again', () => {
  const world = onTestHub('all-in-one', { SIGNING_RETRY_MS: '60000' });

  it('sends the commitments again after the pairing failed to note them, and Jiangsu records nothing twice', async () => {
    const { hub, send, actors } = world;
    const prepared = await finalPackage(send, actors);
    const db = hub.database.db;
    // Jiangsu commits and answers, but the pairing cannot note it: as when the answer is lost on the way.
    await db.execute(sql`create function pairing.test_lose_answer() returns trigger language plpgsql as $$
      begin
        if new.commitments_recorded_at is not null and old.commitments_recorded_at is null then raise exception 'answer lost by the test'; end if;
        return new;
      end; $$`);
    await db.execute(sql`create trigger test_lose_answer before update on pairing.package_signing for each row execute function pairing.test_lose_answer()`);
    try {
      const pending = await sign(send, prepared, actors.shaanxi);
      expect(pending.errors?.[0]?.extensions).toMatchObject({ code: 'SIGNING_PENDING', changeMade: 'PENDING', subgraph: 'pairing' });
      const books = await booksOf(db, prepared);
      expect(books).toMatchObject({ status: 'SIGNING', signed: 0, held: 3 });
      expect(books.commitments).toHaveLength(3);
    } finally {
      await db.execute(sql`drop trigger test_lose_answer on pairing.package_signing`);
      await db.execute(sql`drop function pairing.test_lose_answer()`);
    }

    const recovered = await sign(send, prepared, actors.shaanxi);
    expect(recovered.errors).toBeUndefined();
    expect(recovered.data.signCeremonyPackage.status).toBe('SIGNED');
    expectAllSigned(await booksOf(db, prepared), prepared, actors.changzhou);
  });
});

describe('signing a package while the Jiangsu books cannot be reached, distributed', () => {
  const world = onTestHub('distributed', { SIGNING_RETRY_MS: '200' });

  it('(b) keeps the signing, commits nothing and signs nothing while Jiangsu is down, then signs all of it once Jiangsu is back', async () => {
    const { hub, send, actors } = world;
    const prepared = await finalPackage(send, actors);
    await hub.stopSubgraph('jiangsu');
    let restarted = false;
    try {
      const pending = await sign(send, prepared, actors.shaanxi);
      expect(pending.errors).toHaveLength(1);
      expect(pending.errors![0]!.extensions).toMatchObject({ code: 'SIGNING_PENDING', changeMade: 'PENDING', subgraph: 'jiangsu' });
      expect(pending.errors![0]!.message).not.toMatch(/127\.0\.0\.1|ECONN|fetch/);
      // The recovery tries meanwhile, and fails the same way: still nothing anywhere.
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect(await booksOf(hub.database.db, prepared)).toMatchObject({ status: 'SIGNING', signed: 0, held: 3, commitments: [], signedEvents: [] });
      const read = await send(READ, { ceremonyId: prepared.ceremonyId, version: prepared.version }, actors.shaanxi);
      expect(read.data.ceremonyPackage.signing.attempts).toBeGreaterThan(1);
      expect(read.data.ceremonyPackage.signing.lastError).toMatch(/Jiangsu books could not be reached/);

      const move = await send(
        `mutation ($input: MoveProjectInput!) { moveProject(input: $input) { stage } }`,
        { input: { projectId: prepared.projects[2], to: 'CANCELLED', expectedVersion: 3 } },
        actors.shaanxi,
      );
      expect(move.errors?.[0]?.extensions).toMatchObject({ code: 'PROJECT_BEING_SIGNED' });

      await hub.restartSubgraph('jiangsu');
      restarted = true;
    } finally {
      if (!restarted) await hub.restartSubgraph('jiangsu');
    }

    // The recovery finishes it without anyone asking.
    await until('the recovery signing the package', async () => (await booksOf(hub.database.db, prepared)).status === 'SIGNED');
    expectAllSigned(await booksOf(hub.database.db, prepared), prepared, actors.changzhou);
    const again = await sign(send, prepared, actors.jiangsu);
    expect(again.data.signCeremonyPackage).toMatchObject({ status: 'SIGNED', signing: { lastError: null, completedAt: expect.any(String) } });
    expectAllSigned(await booksOf(hub.database.db, prepared), prepared, actors.changzhou);
  });

  it("lets only the pairing record a package's commitments: the public graph does not show the mutation, and Jiangsu refuses anyone else", async () => {
    const { hub, send, actors } = world;
    const document = `mutation ($input: PackageCommitmentsInput!) { recordPackageCommitments(input: $input) { id } }`;
    const prepared = await finalPackage(send, actors);
    const input = {
      packageId: prepared.packageId,
      ceremonyId: prepared.ceremonyId,
      version: prepared.version,
      lines: [{ position: 1, projectId: prepared.projects[0], organizationId: actors.changzhou, amount: { fen: AMOUNTS[0] } }],
    };
    const before = await tableChecksums(hub.database.db, LEDGER_TABLES);

    const viaGateway = await send(document, { input }, actors.jiangsu);
    expect(viaGateway.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const others: Identity[] = [serviceIdentity('shaanxi'), { role: 'JIANGSU_OFFICE', subject: 'test-office', organizationId: null }];
    for (const identity of others) {
      const body = JSON.stringify({ query: document, variables: { input } });
      const headers = await signIdentity(identity, { secret: hub.config.internalSecret, audience: 'jiangsu', body });
      const response = await fetch(hub.subgraphUrls.jiangsu!, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
      const answer = (await response.json()) as { errors?: { extensions?: { code?: string } }[] };
      expect(answer.errors?.map((error) => error.extensions?.code)).toEqual(['FORBIDDEN']);
    }
    expect(await tableChecksums(hub.database.db, LEDGER_TABLES)).toEqual(before);
  });
});

/**
 * Where a hub process keeps its data: an embedded database's folder (opened by the test only while no hub
 * runs), or, with TEST_DATABASE_URL, a database of its own on the Postgres server (which the
 * test may read and change while the hub runs).
 */
interface Storage {
  env: Record<string, string>;
  /** Whether the test may open the database while a hub runs. */
  shared: boolean;
  withDb<T>(work: (db: Db) => Promise<T>): Promise<T>;
  remove(): Promise<void>;
}

async function storageForCrash(): Promise<Storage> {
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) {
    const folder = mkdtempSync(join(tmpdir(), 'hub-signing-'));
    return {
      env: { DATA_DIR: folder },
      shared: false,
      async withDb(work) {
        // The engine the hub process chose from the same environment.
        const database = await openDatabase({ dataDir: folder, embedded: process.env.EMBEDDED_DATABASE === 'pglite' ? 'pglite' : 'postgres' });
        try {
          return await work(database.db);
        } finally {
          await database.close();
        }
      },
      remove: async () => rmSync(folder, { recursive: true, force: true }),
    };
  }
  const name = `hub_signing_${process.pid}_${randomUUID().slice(0, 8)}`;
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await admin(`create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ url: url.toString(), poolSize: 2 });
  return {
    env: { DATABASE_URL: url.toString() },
    shared: true,
    withDb: (work) => work(database.db),
    async remove() {
      await database.close();
      await admin(`drop database if exists ${name} with (force)`);
    },
  };
}

describe('a hub killed while it signs a package', () => {
  const started: HubProcess[] = [];
  let storage: Storage | undefined;
  afterAll(async () => {
    for (const hub of started) if (hub.child.exitCode === null && hub.child.signalCode === null) hub.child.kill('SIGKILL');
    await storage?.remove();
  });

  /** The hub as `npm start` runs it, on the test's storage; a try may hold its claim for 2 × 2 s. */
  async function startHub(): Promise<{ process: HubProcess; send: Send; origin: string }> {
    const hub = spawnHubProcess('gateway/src/main.ts', {
      PORT: '0',
      HOST: '127.0.0.1',
      DEMO_DATA: 'false',
      SIGNING_RETRY_MS: '200',
      REQUEST_TIMEOUT_MS: '2000',
      ...storage!.env,
    });
    started.push(hub);
    const url = await hub.ready();
    const send: Send = async (document, variables, token) => {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query: document, variables }),
      });
      return (await response.json()) as Awaited<ReturnType<Send>>;
    };
    return { process: hub, send, origin: new URL(url).origin };
  }

  async function stopHub(hub: HubProcess): Promise<void> {
    hub.child.kill('SIGTERM');
    expect(await hub.exited).toBe(0);
  }

  const token = (role: 'SHAANXI_OFFICE' | 'JIANGSU_OFFICE') =>
    mintToken({ secret: DEVELOPMENT_SECRETS.jwt, issuer: 'su-shaan-hub', audience: 'su-shaan-hub', role, subject: 'signing-crash-test', expiresIn: '10m' });

  it(
    '(d) finishes a decided signing after a kill -9 inside step 2: held and uncommitted at the crash, all of it once restarted',
    async () => {
      storage = await storageForCrash();
      const { withDb, shared } = storage;
      // Prepared through the graph.
      const first = await startHub();
      const actors = await actorsOf(first.send, token);
      const prepared = await finalPackage(first.send, actors);
      if (!shared) await stopHub(first.process);

      // Step 2 made slow at its last line: the third commitment waits inside the Jiangsu
      // transaction, after the first two were written in it. (The embedded database holds the
      // process's only thread while it waits.)
      await withDb(async (db) => {
        await db.execute(sql`create function jiangsu.test_slow_entry() returns trigger language plpgsql as $$
          begin if new.idempotency_key like '%:line:3' then perform pg_sleep(4); end if; return new; end; $$`);
        await db.execute(sql`create trigger test_slow_entry before insert on jiangsu.funding_entry for each row execute function jiangsu.test_slow_entry()`);
      });

      const second = shared ? first : await startHub();
      const signing = sign(second.send, prepared, actors.jiangsu).catch(() => null);
      // Inside step 2's transaction, at its third line: the decision is committed, no commitment
      // is. Embedded, the process then stops answering its liveness probe; on a server, the
      // server shows the statement waiting in pg_sleep.
      await until('the hub reaching the third line of step 2', async () => {
        if (shared) {
          const [row] = await withDb((db) =>
            queryRows<{ n: number }>(db, sql`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event = 'PgSleep'`),
          );
          return row!.n > 0;
        }
        // Held for 1.5 s of the 4 s the line waits: a shorter stall of a busy machine (a slow
        // statement, a collection) was once taken for it, and the hub killed before its decision.
        const probe = await Promise.race([
          fetch(`${second.origin}/livez`).then(() => 'answered' as const, () => 'answered' as const),
          new Promise<'blocked'>((resolve) => setTimeout(() => resolve('blocked'), 1_500)),
        ]);
        return probe === 'blocked';
      });
      second.process.child.kill('SIGKILL');
      await second.process.exited;
      void signing;

      // Right after the crash: the decision, committed before step 2 began, and nothing after it —
      // every project held for the signing at SCHEDULED, no commitment (step 2's transaction died
      // with the process), no project signed.
      const crashed = await withDb(async (db) => {
        const books = await booksOf(db, prepared);
        // On a server this waits for the killed process's transaction to be rolled back.
        await db.execute(sql`drop trigger test_slow_entry on jiangsu.funding_entry`);
        await db.execute(sql`drop function jiangsu.test_slow_entry()`);
        return books;
      });
      expect(crashed).toMatchObject({ status: 'SIGNING', held: 3, signed: 0, signedEvents: [], commitments: [], ceremony: { count: 0 } });

      // Restarted on the same data, the recovery finishes what was decided, with no one asking.
      const third = await startHub();
      await until(
        'the recovery signing the package',
        async () => {
          const read = await third.send(READ, { ceremonyId: prepared.ceremonyId, version: prepared.version }, actors.shaanxi);
          return read.data?.ceremonyPackage?.status === 'SIGNED';
        },
        30_000,
      );
      await stopHub(third.process);
      // Every project SIGNED once and every line's commitment recorded once.
      expectAllSigned(await withDb((db) => booksOf(db, prepared)), prepared, actors.changzhou);
    },
    180_000,
  );
});
