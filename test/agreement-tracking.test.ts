import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import { parseCsv, serviceIdentity, type Identity } from '@hub/common';
import { signIdentity } from '@hub/server';
import type { Db } from '@hub/db';
import { moveThrough, startTestHub, tableChecksums, type GraphQLResult, type TestHub } from '@hub/testkit';
import { fundingAccounts, fundingEntries, fundingProjectTotals } from '../subgraphs/jiangsu/src/db/schema.ts';
import {
  agreementFocuses,
  agreements,
  ceremonies,
  ceremonyPackageLines,
  ceremonyPackages,
  ceremonyProjects,
  projectPipelines,
  stageEvents,
} from '../subgraphs/pairing/src/db/schema.ts';
import { TargetsStore } from '../subgraphs/pairing/src/store/targets-store.ts';
import { projectNeeds } from '../subgraphs/shaanxi/src/db/schema.ts';
import { waitForLockWaits } from './support/row-barrier.ts';

/**
 * The joint agreement against its targets (issue 8, items 1 and 2): targets, versioned and kept
 * as history; progress from the pipeline and Jiangsu's books, per year of the term (China
 * Standard Time) and for the whole term, declared ceremonies counted apart; breakdowns,
 * coverage and the five-organization rule. Every expected figure is worked out by hand below
 * from the fixture, never read from the code.
 */

const AGREEMENT = 'su-shaan-social-organizations-2017';
/** The real 2017 ceremony: known by its declared figures only (15 projects, 6,500,000 yuan). */
const CEREMONY = '2017-12-28-xian';

// Jiangsu organizations of the public record, and their kinds.
const RUIHUA = 'js-ruihua-charity-foundation'; // FOUNDATION, a declared signatory
const TONGTAI = 'js-tongtai-charity-foundation'; // FOUNDATION, a declared signatory
const JSPAF = 'js-poverty-alleviation-foundation'; // FOUNDATION, a declared signatory
const MANTIS = 'js-suzhou-gold-mantis-foundation'; // FOUNDATION, a declared signatory
const JS_DEPT = 'js-civil-affairs-department'; // GOVERNMENT_OFFICE: never a social organization
// Shaanxi organizations of the public record.
const SWA = 'sn-social-work-association'; // ASSOCIATION
const WCF = 'sn-women-children-development-foundation'; // FOUNDATION
const ZVA = 'sn-zhenping-volunteer-association'; // VOLUNTEER_GROUP
const SN_DEPT = 'sn-civil-affairs-department'; // GOVERNMENT_OFFICE

const yuan = (amount: number) => amount * 100;

const TARGET_MUTATION = /* GraphQL */ `
  mutation ($input: SetAgreementTargetInput!) {
    setAgreementTarget(input: $input) {
      year projectsSigned committed { fen } disbursed { fen } countiesReached shaanxiOrganizations jiangsuOrganizations
      note version setByRole provenance { kind }
      history { version projectsSigned committed { fen } disbursed { fen } countiesReached note setByRole }
    }
  }
`;

const PERIOD = /* GraphQL */ `
  fragment Count on CountProgress { target actual itemized declared shareReached }
  fragment Amount on MoneyProgress { target { fen } actual { fen yuan } itemized { fen } declared { fen } shareReached }
  fragment Figures on ProgressFigures { projectsSigned committed { fen } disbursed { fen } }
  fragment Period on PeriodProgress {
    year
    projectsSigned { ...Count }
    committed { ...Amount }
    disbursed { ...Amount }
    countiesReached { ...Count }
    shaanxiOrganizations { ...Count }
    jiangsuOrganizations { ...Count }
    byPrefecture { prefecture { code nameZh } figures { ...Figures } }
    byCounty { county { code nameZh } figures { ...Figures } }
    byField { field figures { ...Figures } }
    byOrganization { organization { id nameZh } figures { ...Figures } }
    byFocus { focus { position } figures { ...Figures } }
  }
`;

const COVERAGE = /* GraphQL */ `
  fragment Coverage on CoverageCount { known reached reachedByDeclarationOnly unknown reachedAmongUnknown reachedCounties { code } }
`;

const TRACKING = /* GraphQL */ `
  query ($id: ID!, $provenance: [ProvenanceKind!]) {
    agreement(id: $id) {
      termYearList
      tracking(provenance: $provenance) {
        term { ...Period }
        years { ...Period }
        coverage {
          povertyCounties { ...Coverage }
          deepPovertyCounties { ...Coverage }
          revolutionaryOldAreaCounties { ...Coverage }
        }
        organizationRule { minimum countiesMeeting countiesShort { county { code } organizations short } }
        declaredCeremonies { id declaredProjectCount declaredTotal { fen } }
      }
    }
  }
  ${PERIOD}
  ${COVERAGE}
`;

const count = (target: number | null, itemized: number, declared: number, shareReached: number | null) => ({
  target,
  actual: itemized + declared,
  itemized,
  declared,
  shareReached,
});
const amount = (target: number | null, itemized: number, declared: number, shareReached: number | null) => ({
  target: target === null ? null : { fen: target },
  actual: { fen: itemized + declared, yuan: ((itemized + declared) / 100).toFixed(2) },
  itemized: { fen: itemized },
  declared: { fen: declared },
  shareReached,
});
const figures = (projectsSigned: number, committedFen: number, disbursedFen: number) => ({
  projectsSigned,
  committed: { fen: committedFen },
  disbursed: { fen: disbursedFen },
});

/** The 56 poverty counties of the public record (the Shaanxi seed), by code. */
const POVERTY_COUNTIES = parseCsv(readFileSync(new URL('../subgraphs/shaanxi/seed/shaanxi-poverty-counties.csv', import.meta.url), 'utf8'))
  .map((row) => row.code as string)
  .sort();

function expectNoErrors(result: GraphQLResult) {
  expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
}

/** A stage and the moment it was entered, for a history written with known times. */
type Step = [stage: string, at: string];

/**
 * Writes a project's pipeline as it stood after moves made at known times (the API stamps a
 * move with the current time, and the real agreement's term is 2017–2019): its row, its stage
 * events, its place in the ceremony batch and Shaanxi's publication of the need.
 */
async function writeHistory(
  db: Db,
  project: { id: string; countyCode: string; prefectureCode: string; field: string; raisedBy: string | null; matched: string; focus: number | null },
  steps: Step[],
) {
  await db.transaction(async (tx) => {
    await tx.update(projectNeeds).set({ publishedAt: new Date(steps[0]![1]) }).where(eq(projectNeeds.id, project.id));
    await tx.insert(projectPipelines).values({
      projectId: project.id,
      stage: steps.at(-1)![0] as never,
      version: steps.length,
      countyCode: project.countyCode,
      prefectureCode: project.prefectureCode,
      field: project.field as never,
      raisedByOrganizationId: project.raisedBy,
      matchedOrganizationId: project.matched,
      focusPosition: project.focus,
      enteredAt: new Date(steps[0]![1]),
      updatedAt: new Date(steps.at(-1)![1]),
      provenanceKind: 'ENTERED',
    });
    await tx.insert(stageEvents).values(
      steps.map(([to, at], index) => ({
        projectId: project.id,
        sequence: index + 1,
        fromStage: (index === 0 ? 'PROPOSED' : steps[index - 1]![0]) as never,
        toStage: to as never,
        actorRole: 'SHAANXI_OFFICE',
        actorSubject: 'fixture',
        organizationId: to === 'MATCHED' ? project.matched : null,
        ceremonyId: to === 'SCHEDULED' ? CEREMONY : null,
        occurredAt: new Date(at),
        provenanceKind: 'ENTERED' as const,
      })),
    );
    const scheduled = steps.find(([stage]) => stage === 'SCHEDULED')!;
    await tx.insert(ceremonyProjects).values({ projectId: project.id, ceremonyId: CEREMONY, addedAt: new Date(scheduled[1]) });
  });
}

/** A Jiangsu ledger entry recorded at a known time, with the account and project total kept in step. */
async function bookAt(db: Db, projectId: string, organizationId: string, kind: 'COMMITMENT' | 'DISBURSEMENT', fen: number, at: string) {
  const column = kind === 'COMMITMENT' ? 'committedFen' : 'disbursedFen';
  await db.transaction(async (tx) => {
    await tx.insert(fundingEntries).values({
      projectId,
      organizationId,
      kind,
      amountFen: BigInt(fen),
      idempotencyKey: `fixture-${randomUUID()}`,
      requestFingerprint: 'fixture',
      recordedByRole: 'JIANGSU_OFFICE',
      recordedBySubject: 'fixture',
      recordedAt: new Date(at),
      provenanceKind: 'ENTERED',
    });
    await tx.insert(fundingAccounts).values({ projectId, organizationId }).onConflictDoNothing();
    await tx
      .update(fundingAccounts)
      .set({ [column]: sql`${fundingAccounts[column]} + ${fen}` })
      .where(and(eq(fundingAccounts.projectId, projectId), eq(fundingAccounts.organizationId, organizationId)));
    await tx.insert(fundingProjectTotals).values({ projectId }).onConflictDoNothing();
    await tx
      .update(fundingProjectTotals)
      .set({ [column]: sql`${fundingProjectTotals[column]} + ${fen}` })
      .where(eq(fundingProjectTotals.projectId, projectId));
  });
}

describe('an agreement tracked against its targets, on a fixture worked out by hand', () => {
  let hub: TestHub;
  let tokens: { shaanxi: string; jiangsu: string; ruihua: string };
  /** A Jiangsu social service institution registered for the fixture (its id is made by the hub). */
  let NEW_JS: string;
  const ids: Record<string, string> = {};

  const raise = async (countyCode: string, field: string, raisedBy: string | null) => {
    const result = await hub.query(
      `mutation ($input: RaiseProjectNeedInput!) { raiseProjectNeed(input: $input) { id } }`,
      { input: { countyCode, field, titleZh: `进度测试 ${countyCode} ${field}`, raisedByOrganizationId: raisedBy, amountSought: { fen: yuan(1_000_000) } } },
      { token: tokens.shaanxi },
    );
    expectNoErrors(result);
    return result.data!.raiseProjectNeed.id as string;
  };

  const schedule = async (projectId: string, version: number, focus: number | null) => {
    const result = await hub.query(
      `mutation ($input: MoveProjectInput!) { moveProject(input: $input) { pipelineVersion agreementFocus { position } } }`,
      { input: { projectId, to: 'SCHEDULED', expectedVersion: version, ceremonyId: CEREMONY, focus } },
      { token: tokens.jiangsu },
    );
    expectNoErrors(result);
    expect(result.data!.moveProject.agreementFocus).toEqual(focus === null ? null : { position: focus });
    return result.data!.moveProject.pipelineVersion as number;
  };

  /** Raised, published, matched, scheduled with its focus and, unless told, signed: every move made now. */
  const signedNow = async (countyCode: string, field: string, raisedBy: string | null, matched: string, focus: number | null, sign = true) => {
    const id = await raise(countyCode, field, raisedBy);
    const matchedAt = await moveThrough(hub, id, ['PUBLISHED', 'MATCHED'], tokens.shaanxi, { organizationId: matched });
    await schedule(id, matchedAt, focus);
    if (sign) await moveThrough(hub, id, ['SIGNED'], tokens.jiangsu);
    return id;
  };

  const fund = async (kind: 'recordCommitment' | 'recordDisbursement' | 'recordPledge', projectId: string, organizationId: string, fen: number, token = tokens.jiangsu) => {
    const result = await hub.query(
      `mutation ($input: FundingEntryInput!) { ${kind}(input: $input) { id } }`,
      { input: { projectId, organizationId, amount: { fen }, idempotencyKey: `tracking-${randomUUID()}` } },
      { token },
    );
    expectNoErrors(result);
  };

  const setTarget = async (input: Record<string, unknown>) => {
    const result = await hub.query(TARGET_MUTATION, { input: { agreementId: AGREEMENT, expectedVersion: 0, ...input } }, { token: tokens.shaanxi });
    expectNoErrors(result);
  };

  beforeAll(async () => {
    hub = await startTestHub('all-in-one', { RATE_LIMIT_PER_ADDRESS: '100000', RATE_LIMIT_PER_IDENTITY: '100000' });
    tokens = {
      shaanxi: await hub.token('SHAANXI_OFFICE'),
      jiangsu: await hub.token('JIANGSU_OFFICE'),
      ruihua: await hub.token('FOUNDATION_MEMBER', RUIHUA),
    };
    const created = await hub.query(
      `mutation { createJiangsuOrganization(input: { nameZh: "南京青禾社会工作服务中心（测试）", kind: SOCIAL_SERVICE_INSTITUTION }) { id } }`,
      {},
      { token: tokens.jiangsu },
    );
    expectNoErrors(created);
    NEW_JS = created.data!.createJiangsuOrganization.id;

    // Signed now (a year outside the 2017–2019 term): they count for the whole term only.
    ids.P1 = await signedNow('610927', 'EDUCATION', ZVA, RUIHUA, 1); // 镇坪, 安康
    ids.P2 = await signedNow('610927', 'LIVELIHOOD', SWA, TONGTAI, 3);
    ids.P3 = await signedNow('610927', 'MEDICAL_AID', SN_DEPT, NEW_JS, null); // raised by a government office
    await moveThrough(hub, ids.P3, ['CANCELLED'], tokens.jiangsu); // signed, then cancelled: still signed
    ids.P4 = await signedNow('610622', 'INDUSTRY', SN_DEPT, MANTIS, 2); // 延川, 延安: also a declared county
    ids.P5 = await signedNow('610102', 'EDUCATION', WCF, JS_DEPT, 4); // 新城区, 西安: not a poverty county
    ids.P6 = await signedNow('610826', 'TALENT', SWA, RUIHUA, 2, false); // 绥德: scheduled, never signed
    await fund('recordCommitment', ids.P1, RUIHUA, yuan(300_000));
    await fund('recordDisbursement', ids.P1, RUIHUA, yuan(100_000));
    await fund('recordCommitment', ids.P2, TONGTAI, yuan(200_000));
    await fund('recordCommitment', ids.P2, NEW_JS, yuan(50_000)); // an organization other than the one matched
    await fund('recordCommitment', ids.P4, MANTIS, yuan(150_000));
    await fund('recordCommitment', ids.P5, JS_DEPT, 8_000_050); // 80,000.50 yuan, from a government office
    await fund('recordPledge', ids.P6, RUIHUA, yuan(40_000), tokens.ruihua); // a pledge is no commitment

    // Written with known times, to place them in the term's years (China Standard Time, UTC+8).
    const db = hub.database.db;
    ids.H1 = await raise('610924', 'LIVELIHOOD', WCF); // 紫阳, 安康: the one known deep-poverty county
    await writeHistory(db, { id: ids.H1, countyCode: '610924', prefectureCode: '610900', field: 'LIVELIHOOD', raisedBy: WCF, matched: TONGTAI, focus: 2 }, [
      ['PUBLISHED', '2018-03-01T02:00:00Z'],
      ['MATCHED', '2018-05-01T02:00:00Z'],
      ['SCHEDULED', '2018-09-01T02:00:00Z'],
      ['SIGNED', '2018-12-31T15:59:59Z'], // 2018-12-31 23:59:59 in China: signed in 2018
      ['SUSPENDED', '2019-02-01T02:00:00Z'],
      ['SIGNED', '2019-03-01T02:00:00Z'], // resumed, not signed again
    ]);
    await bookAt(db, ids.H1, TONGTAI, 'COMMITMENT', yuan(120_000), '2018-12-31T16:00:00Z'); // 2019-01-01 00:00 in China
    await bookAt(db, ids.H1, TONGTAI, 'DISBURSEMENT', yuan(60_000), '2019-06-01T00:00:00Z');

    ids.H2 = await raise('610826', 'INDUSTRY', null); // 绥德, 榆林
    await writeHistory(db, { id: ids.H2, countyCode: '610826', prefectureCode: '610800', field: 'INDUSTRY', raisedBy: null, matched: JSPAF, focus: null }, [
      ['PUBLISHED', '2018-04-01T02:00:00Z'],
      ['MATCHED', '2018-06-01T02:00:00Z'],
      ['SCHEDULED', '2018-10-01T02:00:00Z'],
      ['SIGNED', '2018-12-31T16:00:00Z'], // 2019-01-01 00:00 in China: signed in 2019
    ]);
    await bookAt(db, ids.H2, JSPAF, 'COMMITMENT', yuan(90_000), '2019-03-01T00:00:00Z');
    // Signed in a package, where 镇坪县义工协会 signed for the Shaanxi side.
    const [signedPackage] = await db
      .insert(ceremonyPackages)
      .values({
        ceremonyId: CEREMONY,
        version: 1,
        status: 'SIGNED',
        statedTotalFen: BigInt(yuan(90_000)),
        contentHash: 'fixture',
        createdByRole: 'JIANGSU_OFFICE',
        finalizedAt: new Date('2018-12-20T02:00:00Z'),
        finalizedByRole: 'JIANGSU_OFFICE',
        signedAt: new Date('2018-12-31T16:00:00Z'),
        provenanceKind: 'ENTERED',
      })
      .returning();
    await db.insert(ceremonyPackageLines).values({
      packageId: signedPackage!.id,
      position: 1,
      projectId: ids.H2,
      countyCode: '610826',
      shaanxiSignatoryId: ZVA,
      jiangsuOrganizationId: JSPAF,
      amountFen: BigInt(yuan(90_000)),
    });

    ids.H3 = await raise('610927', 'EDUCATION', ZVA); // 镇坪
    await writeHistory(db, { id: ids.H3, countyCode: '610927', prefectureCode: '610900', field: 'EDUCATION', raisedBy: ZVA, matched: RUIHUA, focus: 1 }, [
      ['PUBLISHED', '2017-10-01T02:00:00Z'],
      ['MATCHED', '2017-11-01T02:00:00Z'],
      ['SCHEDULED', '2017-12-01T02:00:00Z'],
      ['SIGNED', '2017-12-28T04:00:00Z'], // at the Xi'an ceremony
    ]);
    await bookAt(db, ids.H3, RUIHUA, 'COMMITMENT', yuan(50_000), '2017-12-28T05:00:00Z');

    await setTarget({ projectsSigned: 30, committed: { fen: yuan(10_000_000) }, disbursed: { fen: yuan(1_000_000) }, countiesReached: 12, shaanxiOrganizations: 4, jiangsuOrganizations: 6 });
    await setTarget({ year: 2017, projectsSigned: 15, committed: { fen: yuan(6_500_000) } });
    await setTarget({ year: 2019, projectsSigned: 3, committed: { fen: yuan(300_000) }, countiesReached: 0, jiangsuOrganizations: 2 });
  });
  afterAll(() => hub?.stop());

  const track = async (provenance: string[] | null = null) => {
    const result = await hub.query(TRACKING, { id: AGREEMENT, provenance });
    expectNoErrors(result);
    return result.data!.agreement;
  };

  it('takes the term from the first ceremony when the signing date is not on record: 2017–2019', async () => {
    expect((await track()).termYearList).toEqual([2017, 2018, 2019]);
  });

  it('adds the declared 2017 ceremony to the itemized projects and money of the whole term, against its targets', async () => {
    const { term } = (await track()).tracking;
    expect(term.year).toBeNull();
    // Signed: P1–P5 now (P3 cancelled since), H1 in 2018, H2 in 2019, H3 in 2017; P6 never.
    // All eight are in the Xi'an ceremony's batch, so they are eight of its declared 15: the
    // declaration adds the 7 not itemized. 15 of 30 = 0.5.
    expect(term.projectsSigned).toEqual(count(30, 8, 7, 0.5));
    // Committed: P1 300,000 + P2 200,000 + 50,000 + P4 150,000 + P5 80,000.50 + H1 120,000 + H2 90,000
    // + H3 50,000 = 1,040,000.50 yuan, all part of the ceremony's declared 6,500,000, which adds
    // the 5,459,999.50 not itemized; 6,500,000 of 10,000,000 = 0.65.
    expect(term.committed).toEqual(amount(yuan(10_000_000), 104_000_050, 545_999_950, 0.65));
    // Disbursed: P1 100,000 + H1 60,000 of 1,000,000 = 0.16. The pledge to P6 is not money committed or disbursed.
    expect(term.disbursed).toEqual(amount(yuan(1_000_000), yuan(160_000), 0, 0.16));
    // Itemized: 镇坪 610927, 延川 610622, 新城区 610102, 紫阳 610924, 绥德 610826 (5); declared: 延川,
    // 山阳 611024, 紫阳, 白河 610929, of which 山阳 and 白河 only by declaration (2). 7 of 12 = 0.5833.
    expect(term.countiesReached).toEqual(count(12, 5, 2, 0.5833));
    // 镇坪县义工协会 (P1, H3, and H2's package), 陕西省社会工作协会 (P2), 陕西省妇女儿童发展基金会 (P5, H1);
    // the civil affairs department that raised P3 and P4 is a government office. 3 of 4 = 0.75.
    expect(term.shaanxiOrganizations).toEqual(count(4, 3, 0, 0.75));
    // Matched or committing: 瑞华, 同泰, the new centre, 金螳螂, 扶贫基金会 (5; the department is a
    // government office); the ceremony's four foundations are all among them. 5 of 6 = 0.8333.
    expect(term.jiangsuOrganizations).toEqual(count(6, 5, 0, 0.8333));
  });

  it('breaks the whole term down by prefecture, county, field, organization and focus, itemized only', async () => {
    const { term } = (await track()).tracking;
    expect(term.byPrefecture).toEqual([
      { prefecture: { code: '610100', nameZh: '西安市' }, figures: figures(1, 8_000_050, 0) }, // P5
      { prefecture: { code: '610600', nameZh: '延安市' }, figures: figures(1, yuan(150_000), 0) }, // P4
      { prefecture: { code: '610800', nameZh: '榆林市' }, figures: figures(1, yuan(90_000), 0) }, // H2 (P6 unsigned)
      // P1, P2, P3, H1, H3: 300,000 + 250,000 + 120,000 + 50,000 committed, 100,000 + 60,000 disbursed
      { prefecture: { code: '610900', nameZh: '安康市' }, figures: figures(5, yuan(720_000), yuan(160_000)) },
    ]);
    expect(term.byCounty).toEqual([
      { county: { code: '610102', nameZh: '新城区' }, figures: figures(1, 8_000_050, 0) },
      { county: { code: '610622', nameZh: '延川县' }, figures: figures(1, yuan(150_000), 0) },
      { county: { code: '610826', nameZh: '绥德县' }, figures: figures(1, yuan(90_000), 0) },
      { county: { code: '610924', nameZh: '紫阳县' }, figures: figures(1, yuan(120_000), yuan(60_000)) },
      { county: { code: '610927', nameZh: '镇坪县' }, figures: figures(4, yuan(600_000), yuan(100_000)) }, // P1, P2, P3, H3
    ]);
    expect(term.byField).toEqual([
      { field: 'LIVELIHOOD', figures: figures(2, yuan(370_000), yuan(60_000)) }, // P2, H1
      { field: 'INDUSTRY', figures: figures(2, yuan(240_000), 0) }, // P4, H2
      { field: 'EDUCATION', figures: figures(3, 43_000_050, yuan(100_000)) }, // P1, P5, H3
      { field: 'MEDICAL_AID', figures: figures(1, 0, 0) }, // P3
    ]);
    // Projects it was matched with, and its own money (the new centre committed to P2, matched with 同泰).
    const organizations = [
      { organization: { id: JS_DEPT, nameZh: '江苏省民政厅' }, figures: figures(1, 8_000_050, 0) },
      { organization: { id: JSPAF, nameZh: '江苏省扶贫基金会' }, figures: figures(1, yuan(90_000), 0) },
      { organization: { id: RUIHUA, nameZh: '江苏省瑞华慈善基金会' }, figures: figures(2, yuan(350_000), yuan(100_000)) },
      { organization: { id: MANTIS, nameZh: '苏州金螳螂公益慈善基金会' }, figures: figures(1, yuan(150_000), 0) },
      { organization: { id: TONGTAI, nameZh: '江苏省同泰慈善基金会' }, figures: figures(2, yuan(320_000), yuan(60_000)) },
      { organization: { id: NEW_JS, nameZh: '南京青禾社会工作服务中心（测试）' }, figures: figures(1, yuan(50_000), 0) },
    ].sort((a, b) => (a.organization.id < b.organization.id ? -1 : 1));
    expect(term.byOrganization).toEqual(organizations);
    expect(term.byFocus).toEqual([
      { focus: { position: 1 }, figures: figures(2, yuan(350_000), yuan(100_000)) }, // P1, H3
      { focus: { position: 2 }, figures: figures(2, yuan(270_000), yuan(60_000)) }, // P4, H1 (P6 unsigned)
      { focus: { position: 3 }, figures: figures(1, yuan(250_000), 0) }, // P2
      { focus: { position: 4 }, figures: figures(1, 8_000_050, 0) }, // P5
      { focus: null, figures: figures(2, yuan(90_000), 0) }, // P3, H2
    ]);
  });

  it('places signing and money in the year they fall in China Standard Time, the declared ceremony in 2017', async () => {
    const { years } = (await track()).tracking;
    expect(years.map((year: { year: number }) => year.year)).toEqual([2017, 2018, 2019]);
    const [y2017, y2018, y2019] = years;

    // 2017: H3, signed and committed at the ceremony, and what the ceremony declared beyond the
    // eight projects and 1,040,000.50 yuan the hub itemizes of it (those count in their own years).
    expect(y2017.projectsSigned).toEqual(count(15, 1, 7, 0.5333)); // 8 of 15
    // 50,000 + 5,459,999.50 = 5,509,999.50 of 6,500,000 = 0.84769… → 0.8477
    expect(y2017.committed).toEqual(amount(yuan(6_500_000), yuan(50_000), 545_999_950, 0.8477));
    expect(y2017.disbursed).toEqual(amount(null, 0, 0, null));
    expect(y2017.countiesReached).toEqual(count(null, 1, 4, null)); // 镇坪; 延川, 山阳, 紫阳, 白河 declared
    expect(y2017.shaanxiOrganizations).toEqual(count(null, 1, 0, null)); // 镇坪县义工协会
    expect(y2017.jiangsuOrganizations).toEqual(count(null, 1, 3, null)); // 瑞华; the other three signatories declared
    expect(y2017.byCounty).toEqual([{ county: { code: '610927', nameZh: '镇坪县' }, figures: figures(1, yuan(50_000), 0) }]);
    expect(y2017.byOrganization).toEqual([{ organization: { id: RUIHUA, nameZh: '江苏省瑞华慈善基金会' }, figures: figures(1, yuan(50_000), 0) }]);
    expect(y2017.byFocus).toEqual([{ focus: { position: 1 }, figures: figures(1, yuan(50_000), 0) }]);

    // 2018: H1, signed at 23:59:59 on 31 December; its commitment one second later is 2019's.
    expect(y2018.projectsSigned).toEqual(count(null, 1, 0, null));
    expect(y2018.committed).toEqual(amount(null, 0, 0, null));
    expect(y2018.countiesReached).toEqual(count(null, 1, 0, null));
    expect(y2018.shaanxiOrganizations).toEqual(count(null, 1, 0, null)); // 妇女儿童发展基金会
    expect(y2018.jiangsuOrganizations).toEqual(count(null, 1, 0, null)); // 同泰, matched
    expect(y2018.byPrefecture).toEqual([{ prefecture: { code: '610900', nameZh: '安康市' }, figures: figures(1, 0, 0) }]);
    expect(y2018.byField).toEqual([{ field: 'LIVELIHOOD', figures: figures(1, 0, 0) }]);

    // 2019: H2, signed at midnight on New Year's Day; H1's resumption is no new signing, its money is 2019's.
    expect(y2019.projectsSigned).toEqual(count(3, 1, 0, 0.3333)); // 1 of 3
    expect(y2019.committed).toEqual(amount(yuan(300_000), yuan(210_000), 0, 0.7)); // 120,000 + 90,000 of 300,000
    expect(y2019.disbursed).toEqual(amount(null, yuan(60_000), 0, null));
    expect(y2019.countiesReached).toEqual(count(0, 1, 0, null)); // a target of 0 has no share
    expect(y2019.shaanxiOrganizations).toEqual(count(null, 1, 0, null)); // 镇坪县义工协会 signed H2's package line
    expect(y2019.jiangsuOrganizations).toEqual(count(2, 2, 0, 1)); // 扶贫基金会 matched, 同泰 committing
    expect(y2019.byPrefecture).toEqual([
      { prefecture: { code: '610800', nameZh: '榆林市' }, figures: figures(1, yuan(90_000), 0) },
      { prefecture: { code: '610900', nameZh: '安康市' }, figures: figures(0, yuan(120_000), yuan(60_000)) },
    ]);
    expect(y2019.byCounty).toEqual([
      { county: { code: '610826', nameZh: '绥德县' }, figures: figures(1, yuan(90_000), 0) },
      { county: { code: '610924', nameZh: '紫阳县' }, figures: figures(0, yuan(120_000), yuan(60_000)) },
    ]);
    expect(y2019.byField).toEqual([
      { field: 'LIVELIHOOD', figures: figures(0, yuan(120_000), yuan(60_000)) },
      { field: 'INDUSTRY', figures: figures(1, yuan(90_000), 0) },
    ]);
    expect(y2019.byOrganization).toEqual([
      { organization: { id: JSPAF, nameZh: '江苏省扶贫基金会' }, figures: figures(1, yuan(90_000), 0) },
      { organization: { id: TONGTAI, nameZh: '江苏省同泰慈善基金会' }, figures: figures(0, yuan(120_000), yuan(60_000)) },
    ]);
    expect(y2019.byFocus).toEqual([
      { focus: { position: 2 }, figures: figures(0, yuan(120_000), yuan(60_000)) },
      { focus: null, figures: figures(1, yuan(90_000), 0) },
    ]);
  });

  it("counts coverage of Shaanxi's counties where the flag is known, the unknown apart", async () => {
    const { coverage, declaredCeremonies } = (await track()).tracking;
    const codes = (list: string[]) => list.map((code) => ({ code }));
    // Reached: 镇坪, 延川, 新城区, 紫阳, 绥德 by signed projects; 山阳, 白河 only by the declared ceremony.
    // Poverty counties: the record's 56 are known; 新城区 is one of the 51 the record is silent on.
    expect(coverage.povertyCounties).toEqual({
      known: 56,
      reached: 6,
      reachedByDeclarationOnly: 2,
      unknown: 51,
      reachedAmongUnknown: 1,
      reachedCounties: codes(['610622', '610826', '610924', '610927', '610929', '611024']),
    });
    // Deep poverty: only 紫阳 is known to be one; every other county is unknown.
    expect(coverage.deepPovertyCounties).toEqual({
      known: 1,
      reached: 1,
      reachedByDeclarationOnly: 0,
      unknown: 106,
      reachedAmongUnknown: 6,
      reachedCounties: codes(['610924']),
    });
    // Old area: every county of 延安 (13), 榆林 (12) and 铜川 (4), by their prefecture's flag; the other 78 unknown.
    expect(coverage.revolutionaryOldAreaCounties).toEqual({
      known: 29,
      reached: 2,
      reachedByDeclarationOnly: 0,
      unknown: 78,
      reachedAmongUnknown: 5,
      reachedCounties: codes(['610622', '610826']),
    });
    expect(declaredCeremonies).toEqual([{ id: CEREMONY, declaredProjectCount: 15, declaredTotal: { fen: yuan(6_500_000) } }]);
  });

  it('names the poverty counties short of five social organizations, the largest shortfall first', async () => {
    const { organizationRule } = (await track()).tracking;
    // 镇坪: 瑞华, 同泰, the new centre (matched), 镇坪县义工协会, 社会工作协会 (raised) = 5; the department
    // that raised P3 does not count. 延川: 金螳螂 = 1 (the department raised P4). 紫阳: 同泰, 妇女儿童发展基金会 = 2. 绥德: 扶贫基金会,
    // 镇坪县义工协会 (package) = 2; P6 (matched, raised) is not signed. The declared ceremony pairs no
    // organization with a county, so 山阳 and 白河 have none.
    const counted: Record<string, number> = { '610927': 5, '610622': 1, '610924': 2, '610826': 2 };
    const short = POVERTY_COUNTIES.filter((code) => (counted[code] ?? 0) < 5)
      .map((code) => ({ county: { code }, organizations: counted[code] ?? 0, short: 5 - (counted[code] ?? 0) }))
      .sort((a, b) => b.short - a.short || (a.county.code < b.county.code ? -1 : 1));
    expect(POVERTY_COUNTIES).toHaveLength(56);
    expect(organizationRule.minimum).toBe(5);
    expect(organizationRule.countiesMeeting).toBe(1);
    expect(organizationRule.countiesShort).toHaveLength(55);
    expect(organizationRule.countiesShort).toEqual(short);
    expect(organizationRule.countiesShort.slice(-3)).toEqual([
      { county: { code: '610622' }, organizations: 1, short: 4 },
      { county: { code: '610826' }, organizations: 2, short: 3 },
      { county: { code: '610924' }, organizations: 2, short: 3 },
    ]);
  });

  it('tracks the kinds of records asked for: the public record is the declared ceremony, entered records the projects', async () => {
    const record = (await track(['PUBLIC_RECORD'])).tracking;
    expect(record.term.projectsSigned).toEqual(count(30, 0, 15, 0.5));
    expect(record.term.committed).toEqual(amount(yuan(10_000_000), 0, yuan(6_500_000), 0.65));
    expect(record.term.countiesReached).toEqual(count(12, 0, 4, 0.3333));
    expect(record.term.byCounty).toEqual([]);
    expect(record.coverage.povertyCounties).toMatchObject({ reached: 4, reachedByDeclarationOnly: 4, reachedAmongUnknown: 0 });

    const entered = (await track(['ENTERED'])).tracking;
    expect(entered.term.projectsSigned).toEqual(count(30, 8, 0, 0.2667));
    expect(entered.term.committed).toEqual(amount(yuan(10_000_000), 104_000_050, 0, 0.104));
    expect(entered.term.countiesReached).toEqual(count(12, 5, 0, 0.4167));
    expect(entered.term.jiangsuOrganizations).toEqual(count(6, 5, 0, 0.8333));
    expect(entered.declaredCeremonies).toEqual([]);
    expect(entered.coverage.povertyCounties).toMatchObject({ reached: 4, reachedByDeclarationOnly: 0 });
  });

  it('lets the public read the progress and the targets', async () => {
    const result = await hub.query(
      `{ agreement(id: "${AGREEMENT}") { targets { year projectsSigned version history { version } } tracking { term { projectsSigned { actual } } } } }`,
    );
    expectNoErrors(result);
    expect(result.data!.agreement.targets).toEqual([
      { year: null, projectsSigned: 30, version: 1, history: [{ version: 1 }] },
      { year: 2017, projectsSigned: 15, version: 1, history: [{ version: 1 }] },
      { year: 2019, projectsSigned: 3, version: 1, history: [{ version: 1 }] },
    ]);
    expect(result.data!.agreement.tracking.term.projectsSigned.actual).toBe(15);
  });

  it("names a project's focus, and refuses a focus the agreement does not have or a focus off scheduling, writing nothing", async () => {
    const focus = await hub.query(
      `query ($a: ID!, $b: ID!) { a: project(id: $a) { agreementFocus { position titleZh } } b: project(id: $b) { agreementFocus { position } } }`,
      { a: ids.P1, b: ids.P3 },
    );
    expectNoErrors(focus);
    expect(focus.data).toEqual({ a: { agreementFocus: { position: 1, titleZh: '聚焦陕西省56个贫困县' } }, b: { agreementFocus: null } });

    const id = await raise('610929', 'OTHER', null);
    const version = await moveThrough(hub, id, ['PUBLISHED'], tokens.shaanxi);
    const tables = ['pairing.project_pipeline', 'pairing.stage_event', 'pairing.ceremony_project'];
    const before = await tableChecksums(hub.database.db, tables);
    const move = (input: Record<string, unknown>) =>
      hub.query(`mutation ($input: MoveProjectInput!) { moveProject(input: $input) { stage } }`, { input: { projectId: id, ...input } }, { token: tokens.jiangsu });
    const offStage = await move({ to: 'MATCHED', expectedVersion: version, organizationId: RUIHUA, focus: 1 });
    expect(offStage.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.focus' });
    expect(await tableChecksums(hub.database.db, tables)).toEqual(before);

    const matched = await moveThrough(hub, id, ['MATCHED'], tokens.shaanxi, { organizationId: RUIHUA });
    const matchedState = await tableChecksums(hub.database.db, tables);
    for (const focus of [0, 5, -1]) {
      const unknown = await move({ to: 'SCHEDULED', expectedVersion: matched, ceremonyId: CEREMONY, focus });
      expect(unknown.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.focus' });
    }
    expect(await tableChecksums(hub.database.db, tables)).toEqual(matchedState);
  });

  it("resolves projects' focuses in a fixed number of statements", async () => {
    const page = (first: number) =>
      hub.countStatements(() => hub.query(`{ pipeline(first: ${first}) { nodes { id agreementFocus { position } } } }`));
    const small = await page(2);
    const large = await page(9);
    expect(small.result.errors).toBeUndefined();
    expect(large.result.data!.pipeline.nodes).toHaveLength(9);
    expect(large.statements.length).toBe(small.statements.length);
  });
});

describe("an agreement's targets: versions, history, who may set them, and bad input", () => {
  let hub: TestHub;
  let tokens: { shaanxi: string; jiangsu: string; member: string };

  beforeAll(async () => {
    hub = await startTestHub('all-in-one', { DEMO_DATA: 'true' });
    tokens = {
      shaanxi: await hub.token('SHAANXI_OFFICE'),
      jiangsu: await hub.token('JIANGSU_OFFICE'),
      member: await hub.token('FOUNDATION_MEMBER', RUIHUA),
    };
  });
  afterAll(() => hub?.stop());

  /** Sets targets of the real agreement; `token` null asks as the public. */
  const set = (input: Record<string, unknown>, token: string | null = tokens.shaanxi) =>
    hub.query(TARGET_MUTATION, { input: { agreementId: AGREEMENT, ...input } }, { token: token ?? undefined });
  const targetTables = ['pairing.agreement_target', 'pairing.agreement_target_revision'];

  it('versions each setting, keeps every version as history, and refuses a stale version', async () => {
    const first = await set({ year: 2018, expectedVersion: 0, projectsSigned: 10, committed: { fen: yuan(2_000_000) }, note: '首年目标' });
    expectNoErrors(first);
    expect(first.data!.setAgreementTarget).toMatchObject({ year: 2018, version: 1, projectsSigned: 10, setByRole: 'SHAANXI_OFFICE', provenance: { kind: 'ENTERED' } });

    // Every measure is replaced: one left out has no target any more.
    const second = await set({ year: 2018, expectedVersion: 1, countiesReached: 107, disbursed: { fen: 0 } }, tokens.jiangsu);
    expectNoErrors(second);
    expect(second.data!.setAgreementTarget).toMatchObject({
      year: 2018,
      version: 2,
      projectsSigned: null,
      committed: null,
      disbursed: { fen: 0 },
      countiesReached: 107,
      note: null,
      setByRole: 'JIANGSU_OFFICE',
    });
    expect(second.data!.setAgreementTarget.history).toEqual([
      { version: 1, projectsSigned: 10, committed: { fen: yuan(2_000_000) }, disbursed: null, countiesReached: null, note: '首年目标', setByRole: 'SHAANXI_OFFICE' },
      { version: 2, projectsSigned: null, committed: null, disbursed: { fen: 0 }, countiesReached: 107, note: null, setByRole: 'JIANGSU_OFFICE' },
    ]);

    const before = await tableChecksums(hub.database.db, targetTables);
    const stale = await set({ year: 2018, expectedVersion: 1, projectsSigned: 99 });
    expect(stale.errors?.[0]?.extensions).toMatchObject({ code: 'VERSION_CONFLICT', expectedVersion: 1, currentVersion: 2 });
    const again = await set({ year: 2018, expectedVersion: 0, projectsSigned: 99 });
    expect(again.errors?.[0]?.extensions).toMatchObject({ code: 'VERSION_CONFLICT', expectedVersion: 0, currentVersion: 2 });
    expect(await tableChecksums(hub.database.db, targetTables)).toEqual(before);

    // The public reads them, the whole term first.
    const read = await hub.query(`{ agreement(id: "${AGREEMENT}") { targets { year version setAt history { version setByRole setAt } } } }`);
    expectNoErrors(read);
    const targets = read.data!.agreement.targets as { year: number | null; setAt: string; history: { setAt: string }[] }[];
    const target = targets.find((candidate) => candidate.year === 2018)!;
    expect(target).toMatchObject({
      year: 2018,
      version: 2,
      history: [{ version: 1, setByRole: 'SHAANXI_OFFICE' }, { version: 2, setByRole: 'JIANGSU_OFFICE' }],
    });
    // The row says when it was last set: when its latest version was.
    expect(target.setAt).toBe(target.history[1]!.setAt);
    expect(Date.parse(target.history[0]!.setAt)).toBeLessThanOrEqual(Date.parse(target.setAt));
    const years = targets.map((target) => target.year);
    expect(years).toEqual([...years].sort((a, b) => (a === null ? -1 : b === null ? 1 : a - b)));
  });

  it("gives the demo agreement's targets its demo badge", async () => {
    const read = await hub.query(`{ agreement(id: "demo-agreement") { termYearList targets { year version } } }`);
    expectNoErrors(read);
    // The demo agreement has no signing date: its term starts with its first ceremony, 2019-06-18.
    expect(read.data!.agreement.termYearList).toEqual([2019, 2020, 2021]);
    // A year the demo data set no target for: this setting makes the row.
    const set = new Set((read.data!.agreement.targets as { year: number | null }[]).map((target) => target.year));
    const year = [2019, 2020, 2021].find((candidate) => !set.has(candidate));
    expect(year).toBeDefined();
    const result = await hub.query(
      TARGET_MUTATION,
      { input: { agreementId: 'demo-agreement', year, expectedVersion: 0, projectsSigned: 5 } },
      { token: tokens.jiangsu },
    );
    expectNoErrors(result);
    expect(result.data!.setAgreementTarget.provenance).toEqual({ kind: 'SYNTHETIC_DEMO' });
  });

  it('lets only the two offices set targets, and writes nothing for bad input', async () => {
    const before = await tableChecksums(hub.database.db, targetTables);
    const refusals: [Record<string, unknown>, string | null, string, string?][] = [
      [{ expectedVersion: 0, projectsSigned: 1 }, null, 'UNAUTHENTICATED'],
      [{ expectedVersion: 0, projectsSigned: 1 }, tokens.member, 'FORBIDDEN'],
      [{ year: 2020, expectedVersion: 0, projectsSigned: 1 }, tokens.shaanxi, 'BAD_USER_INPUT', 'input.year'],
      [{ year: 2016, expectedVersion: 0 }, tokens.shaanxi, 'BAD_USER_INPUT', 'input.year'],
      [{ expectedVersion: 0, projectsSigned: -1 }, tokens.shaanxi, 'BAD_USER_INPUT', 'input.projectsSigned'],
      [{ expectedVersion: 0, countiesReached: 108 }, tokens.jiangsu, 'BAD_USER_INPUT', 'input.countiesReached'],
      [{ expectedVersion: 0, countiesReached: -1 }, tokens.jiangsu, 'BAD_USER_INPUT', 'input.countiesReached'],
      [{ expectedVersion: 0, shaanxiOrganizations: -2 }, tokens.jiangsu, 'BAD_USER_INPUT', 'input.shaanxiOrganizations'],
      [{ expectedVersion: 0, jiangsuOrganizations: -3 }, tokens.jiangsu, 'BAD_USER_INPUT', 'input.jiangsuOrganizations'],
      [{ expectedVersion: 0, committed: { fen: -1 } }, tokens.shaanxi, 'BAD_USER_INPUT', 'input.committed.fen'],
      [{ expectedVersion: 0, disbursed: { fen: 100_000_000_001 } }, tokens.shaanxi, 'BAD_USER_INPUT', 'input.disbursed.fen'],
      [{ expectedVersion: 0, committed: { fen: 1.5 } }, tokens.shaanxi, 'BAD_USER_INPUT'],
      [{ expectedVersion: 0, note: '长'.repeat(1001) }, tokens.shaanxi, 'BAD_USER_INPUT', 'input.note'],
      [{ expectedVersion: -1, projectsSigned: 1 }, tokens.shaanxi, 'BAD_USER_INPUT', 'input.expectedVersion'],
      [{ agreementId: 'no-such-agreement', expectedVersion: 0 }, tokens.shaanxi, 'NOT_FOUND'],
    ];
    for (const [input, token, code, field] of refusals) {
      const result = await set(input, token);
      expect(result.errors?.[0]?.extensions, JSON.stringify(input)).toMatchObject({ code, ...(field ? { field } : {}) });
    }
    expect(await tableChecksums(hub.database.db, targetTables)).toEqual(before);
  });

  // Both writes reach the database at one version with nothing in front of them, so only the
  // period's unique index (a first setting) and the version condition (a later one) stop the
  // second. PGlite runs the two transactions one after the other, a server side by side.
  it('lets the database take exactly one of two settings written at one version', async () => {
    const store = new TargetsStore(hub.database.db);
    const setting = (expectedVersion: number, projectsSigned: number) => ({
      agreementId: AGREEMENT,
      year: null,
      expectedVersion,
      measures: { projectsSigned, committedFen: null, disbursedFen: null, countiesReached: null, shaanxiOrganizations: null, jiangsuOrganizations: null, note: null },
      setByRole: 'SHAANXI_OFFICE',
      setBySubject: 'race',
      provenanceKind: 'ENTERED' as const,
    });
    const revisions = async () =>
      (await hub.database.db.execute(sql`select r.version from pairing.agreement_target_revision r join pairing.agreement_target t on t.id = r.target_id
        where t.agreement_id = ${AGREEMENT} and t.year is null order by r.version`)) as unknown as { rows: { version: number }[] };

    const created = await Promise.all([store.setTarget(setting(0, 10)), store.setTarget(setting(0, 20))]);
    expect(created.map((outcome) => outcome.type).sort()).toEqual(['set', 'version-conflict']);
    expect(created.find((outcome) => outcome.type === 'version-conflict')).toEqual({ type: 'version-conflict', currentVersion: 1 });
    expect((await revisions()).rows.map((row) => Number(row.version))).toEqual([1]);

    const changed = await Promise.all([store.setTarget(setting(1, 30)), store.setTarget(setting(1, 40))]);
    expect(changed.map((outcome) => outcome.type).sort()).toEqual(['set', 'version-conflict']);
    expect(changed.find((outcome) => outcome.type === 'version-conflict')).toEqual({ type: 'version-conflict', currentVersion: 2 });
    expect((await revisions()).rows.map((row) => Number(row.version))).toEqual([1, 2]);
  });

  // Through the gateway, on a Postgres server: both requests pass every check and wait at their
  // write — the inserts at the agreement row another connection holds (their foreign key), the
  // updates at the target row — and are let go together (see row-barrier.ts).
  it.runIf(process.env.TEST_DATABASE_URL)('lets exactly one of two offices racing at one version set the targets; the other gets VERSION_CONFLICT', async () => {
    const outcome = (results: GraphQLResult[]) => results.map((r) => (r.errors ? String(r.errors[0]!.extensions!.code) : 'ok')).sort();
    const race = async (version: number, rowTable: string, where: ReturnType<typeof sql>, statement: string) => {
      let racing: Promise<GraphQLResult[]> | undefined;
      await hub.database.db.transaction(async (holder) => {
        await holder.execute(sql`select 1 from ${sql.raw(rowTable)} where ${where} for update`);
        racing = Promise.all([
          set({ year: 2019, expectedVersion: version, projectsSigned: 1 }, tokens.shaanxi),
          set({ year: 2019, expectedVersion: version, projectsSigned: 2 }, tokens.jiangsu),
        ]);
        racing.catch(() => {});
        await waitForLockWaits(hub, [statement], 2, 'target writes');
      });
      return racing!;
    };
    const created = await race(0, 'pairing.agreement', sql`id = ${AGREEMENT}`, 'insert into "pairing"."agreement_target" %');
    expect(outcome(created)).toEqual(['VERSION_CONFLICT', 'ok']);
    const changed = await race(1, 'pairing.agreement_target', sql`agreement_id = ${AGREEMENT} and year = 2019`, 'update "pairing"."agreement_target" %');
    expect(outcome(changed)).toEqual(['VERSION_CONFLICT', 'ok']);
    const read = await hub.query(`{ agreement(id: "${AGREEMENT}") { targets { year version history { version } } } }`);
    expect(read.data!.agreement.targets.find((target: { year: number | null }) => target.year === 2019)).toEqual({
      year: 2019,
      version: 2,
      history: [{ version: 1 }, { version: 2 }],
    });
  });
});

/**
 * The whole tracking query costs the same number of SQL statements however many projects an
 * agreement has: measured on the demo agreement and on two agreements written alike at two
 * sizes, 10 and 80 signed projects, each with money in Jiangsu's books, Shaanxi organizations
 * raising the needs and a signed package naming Shaanxi signatories.
 */
describe('the cost of tracking an agreement', () => {
  let hub: TestHub;
  const POVERTY = parseCsv(readFileSync(new URL('../subgraphs/shaanxi/seed/shaanxi-poverty-counties.csv', import.meta.url), 'utf8'));
  const FIELDS = ['LIVELIHOOD', 'INDUSTRY', 'TECHNOLOGY_AND_CULTURE', 'TALENT', 'EDUCATION', 'MEDICAL_AID', 'INFRASTRUCTURE', 'CHILD_WELFARE', 'DISABILITY', 'OTHER'] as const;
  const DAY = 24 * 60 * 60 * 1000;

  /** An agreement, signed 2019-01-01, with one ceremony whose signed package holds `size` projects. */
  async function agreementWith(id: string, size: number) {
    const db = hub.database.db;
    const ceremonyId = `${id}-ceremony`;
    await db.transaction(async (tx) => {
      await tx.insert(agreements).values({ id, titleZh: `测试协议 ${size}`, jiangsuPartyId: JS_DEPT, shaanxiPartyId: SN_DEPT, termYears: 3, signedOn: '2019-01-01', provenanceKind: 'ENTERED' });
      await tx.insert(agreementFocuses).values([1, 2, 3, 4].map((position) => ({ agreementId: id, position, titleZh: `聚焦 ${position}`, titleEn: `Focus ${position}` })));
      await tx.insert(ceremonies).values({ id: ceremonyId, agreementId: id, titleZh: `测试签约 ${size}`, heldOn: '2019-06-01', cityCode: '610900', cityNameZh: '安康市', declaredProjectCount: 0, declaredTotalFen: 0n, provenanceKind: 'ENTERED' });
      const projects = Array.from({ length: size }, (_, index) => {
        const county = POVERTY[index % POVERTY.length]!;
        return {
          projectId: randomUUID(),
          countyCode: county.code as string,
          prefectureCode: `${county.prefecture_code}00`,
          field: FIELDS[index % FIELDS.length]!,
          focusPosition: index % 5 === 4 ? null : (index % 4) + 1,
          raisedByOrganizationId: [SWA, WCF, ZVA, null][index % 4]!,
          matchedOrganizationId: [RUIHUA, TONGTAI, JSPAF, MANTIS, JS_DEPT][index % 5]!,
          signedAt: new Date(Date.UTC(2019, 0, 10) + index * 13 * DAY),
        };
      });
      await tx.insert(projectPipelines).values(
        projects.map(({ signedAt, ...project }) => ({ ...project, stage: 'SIGNED' as const, version: 1, enteredAt: signedAt, updatedAt: signedAt, provenanceKind: 'ENTERED' as const })),
      );
      await tx.insert(stageEvents).values(
        projects.map((project) => ({ projectId: project.projectId, sequence: 1, fromStage: 'SCHEDULED' as const, toStage: 'SIGNED' as const, actorRole: 'JIANGSU_OFFICE', occurredAt: project.signedAt, provenanceKind: 'ENTERED' as const })),
      );
      await tx.insert(ceremonyProjects).values(projects.map((project) => ({ projectId: project.projectId, ceremonyId })));
      const [signed] = await tx
        .insert(ceremonyPackages)
        .values({ ceremonyId, version: 1, status: 'SIGNED', statedTotalFen: 0n, contentHash: 'fixture', createdByRole: 'JIANGSU_OFFICE', provenanceKind: 'ENTERED' })
        .returning();
      await tx.insert(ceremonyPackageLines).values(
        projects.map((project, index) => ({
          packageId: signed!.id,
          position: index + 1,
          projectId: project.projectId,
          countyCode: project.countyCode,
          shaanxiSignatoryId: [ZVA, SWA, WCF][index % 3]!,
          jiangsuOrganizationId: project.matchedOrganizationId,
          amountFen: 0n,
        })),
      );
      // The entries alone: tracking reads Jiangsu's entries, not its running accounts.
      await tx.insert(fundingEntries).values(
        projects.flatMap((project, index) =>
          (['COMMITMENT', 'DISBURSEMENT'] as const).map((kind) => ({
            projectId: project.projectId,
            organizationId: project.matchedOrganizationId,
            kind,
            amountFen: BigInt((index + 1) * (kind === 'COMMITMENT' ? 100_000 : 40_000)),
            idempotencyKey: `fixture-${randomUUID()}`,
            requestFingerprint: 'fixture',
            recordedByRole: 'JIANGSU_OFFICE',
            recordedAt: new Date(project.signedAt.getTime() + (kind === 'COMMITMENT' ? 1 : 60) * DAY),
            provenanceKind: 'ENTERED' as const,
          })),
        ),
      );
    });
  }

  beforeAll(async () => {
    hub = await startTestHub('all-in-one', { DEMO_DATA: 'true' });
    await agreementWith('tracking-fixture-10', 10);
    await agreementWith('tracking-fixture-80', 80);
  });
  afterAll(() => hub?.stop());

  const measure = async (id: string) => {
    const measured = await hub.countStatements(() => hub.query(TRACKING, { id }));
    const { result, statements } = measured;
    expectNoErrors(result);
    const of = (schema: string) => statements.filter((statement) => statement.includes(`"${schema}".`) || statement.includes(`${schema}.`)).length;
    return {
      signed: result.data!.agreement.tracking.term.projectsSigned.itemized as number,
      statements: statements.length,
      bySubgraph: { pairing: of('pairing'), jiangsu: of('jiangsu'), shaanxi: of('shaanxi') },
    };
  };

  it('costs the same number of statements for 10 and for 80 projects, and for the demo agreement', async () => {
    const ten = await measure('tracking-fixture-10');
    const eighty = await measure('tracking-fixture-80');
    const demo = await measure('demo-agreement');
    expect([ten.signed, eighty.signed]).toEqual([10, 80]);
    expect(demo.signed).toBeGreaterThan(10);
    expect(eighty.statements).toBe(ten.statements);
    expect(eighty.bySubgraph).toEqual(ten.bySubgraph);
    expect(demo.statements).toBe(ten.statements);
    expect(demo.bySubgraph).toEqual(ten.bySubgraph);
  });

  it('tracks every agreement of one request for what one costs, each with its own projects and money', async () => {
    const FIGURES = 'id tracking { term { projectsSigned { itemized } committed { itemized { yuan } } disbursed { actual { yuan } } jiangsuOrganizations { actual } } }';
    const one = await hub.countStatements(() => hub.query(`query ($id: ID!) { agreement(id: $id) { ${FIGURES} } }`, { id: 'tracking-fixture-10' }));
    const every = await hub.countStatements(() => hub.query(`{ agreements { ${FIGURES} } }`));
    expectNoErrors(one.result);
    expectNoErrors(every.result);
    const tracked = new Map((every.result.data!.agreements as { id: string; tracking: { term: unknown } }[]).map((agreement) => [agreement.id, agreement]));
    expect([...tracked.keys()]).toEqual(expect.arrayContaining(['tracking-fixture-10', 'tracking-fixture-80', 'demo-agreement']));
    // Worked from the fixture: project i (from 0) commits (i + 1) × 1,000 yuan and disburses
    // (i + 1) × 400; ten projects commit 55,000 yuan, eighty 3,240,000. Five organizations are
    // matched in turn, one of them the Jiangsu department, a government office, which does not
    // count as a social organization: four.
    const term = (id: string) => tracked.get(id)?.tracking.term;
    expect(term('tracking-fixture-10')).toEqual({
      projectsSigned: { itemized: 10 },
      committed: { itemized: { yuan: '55000.00' } },
      disbursed: { actual: { yuan: '22000.00' } },
      jiangsuOrganizations: { actual: 4 },
    });
    expect(term('tracking-fixture-80')).toEqual({
      projectsSigned: { itemized: 80 },
      committed: { itemized: { yuan: '3240000.00' } },
      disbursed: { actual: { yuan: '1296000.00' } },
      jiangsuOrganizations: { actual: 4 },
    });
    expect(term('tracking-fixture-10')).toEqual(one.result.data!.agreement.tracking.term);
    // Each province read once for all of them: the same statements as for one agreement, but the
    // pairing's own list of agreements in place of the one agreement it looked up.
    const of = (statements: string[], schema: string) =>
      statements.filter((statement) => statement.includes(`"${schema}".`) || statement.includes(`${schema}.`)).length;
    expect(of(every.statements, 'jiangsu')).toBe(of(one.statements, 'jiangsu'));
    expect(of(every.statements, 'shaanxi')).toBe(of(one.statements, 'shaanxi'));
    expect(every.statements.length).toBe(one.statements.length);
  });
});

/**
 * Distributed: the pairing asks Jiangsu for its sums over HTTP under its own signed service
 * identity; the sums are not part of the public graph, and no other caller gets them.
 */
describe('tracking across separate services', () => {
  let hub: TestHub;
  let projectId: string;

  beforeAll(async () => {
    hub = await startTestHub('distributed');
    const shaanxi = await hub.token('SHAANXI_OFFICE');
    const jiangsu = await hub.token('JIANGSU_OFFICE');
    const raised = await hub.query(
      `mutation { raiseProjectNeed(input: { countyCode: "610929", raisedByOrganizationId: "${WCF}", titleZh: "白河县分布式进度测试", field: EDUCATION }) { id } }`,
      {},
      { token: shaanxi },
    );
    projectId = raised.data!.raiseProjectNeed.id;
    await moveThrough(hub, projectId, ['PUBLISHED', 'MATCHED', 'SCHEDULED', 'SIGNED'], shaanxi, { organizationId: TONGTAI, ceremonyId: CEREMONY });
    const committed = await hub.query(
      `mutation ($input: FundingEntryInput!) { recordCommitment(input: $input) { id } }`,
      { input: { projectId, organizationId: TONGTAI, amount: { fen: 12_345_678 }, idempotencyKey: `tracking-${randomUUID()}` } },
      { token: jiangsu },
    );
    expectNoErrors(committed);
  });
  afterAll(() => hub?.stop());

  const SUMS = 'query ($ids: [ID!]!, $kinds: [FundingKind!]) { fundingByProjectAndYear(projectIds: $ids, kinds: $kinds) { projectId organizationId kind fen } }';

  /** A request straight to a province's subgraph, signed with the hub's internal secret as `identity`. */
  async function ask(subgraph: 'jiangsu' | 'shaanxi', identity: Identity, query: string, variables: Record<string, unknown>) {
    const body = JSON.stringify({ query, variables });
    const headers = await signIdentity(identity, { secret: hub.config.internalSecret, audience: subgraph, body });
    const response = await fetch(hub.subgraphUrls[subgraph]!, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    return (await response.json()) as { data?: Record<string, unknown> | null; errors?: { extensions?: Record<string, unknown> }[] };
  }
  const askJiangsu = (identity: Identity, kinds?: string[]) => ask('jiangsu', identity, SUMS, { ids: [projectId], ...(kinds ? { kinds } : {}) });

  it("tracks the agreement with Jiangsu's books reached over HTTP", async () => {
    const result = await hub.query(`query ($id: ID!) { agreement(id: $id) { tracking { term {
      projectsSigned { itemized declared } committed { itemized { fen } declared { fen } } jiangsuOrganizations { itemized declared }
      byOrganization { organization { id } figures { projectsSigned committed { fen } } } } } } }`, { id: AGREEMENT });
    expectNoErrors(result);
    expect(result.data!.agreement.tracking.term).toEqual({
      // The project is one of the Xi'an ceremony's 15, its commitment part of the 6,500,000 yuan.
      projectsSigned: { itemized: 1, declared: 14 },
      committed: { itemized: { fen: 12_345_678 }, declared: { fen: yuan(6_500_000) - 12_345_678 } },
      // 同泰, matched and committing; the ceremony's other three foundations declared.
      jiangsuOrganizations: { itemized: 1, declared: 3 },
      byOrganization: [{ organization: { id: TONGTAI }, figures: { projectsSigned: 1, committed: { fen: 12_345_678 } } }],
    });
  });

  it("fails, naming Jiangsu, rather than show progress without Jiangsu's books", async () => {
    await hub.stopSubgraph('jiangsu');
    try {
      const result = await hub.query(`query ($id: ID!) { agreement(id: $id) { tracking { term { projectsSigned { actual } } } } }`, { id: AGREEMENT });
      expect(result.data?.agreement ?? null).toBeNull();
      expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'SUBGRAPH_UNAVAILABLE', subgraph: 'jiangsu' });
    } finally {
      await hub.restartSubgraph('jiangsu');
    }
  });

  it('keeps the sums by year out of the public graph and gives them to the pairing only', async () => {
    const gateway = await hub.query(`{ fundingByProjectAndYear(projectIds: ["${projectId}"]) { fen } }`, {}, { token: await hub.token('JIANGSU_OFFICE') });
    expect(gateway.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    // Another subgraph, and an office whose subject merely reads like the pairing's.
    const office = { role: 'JIANGSU_OFFICE' as const, subject: serviceIdentity('pairing').subject, organizationId: null };
    for (const identity of [serviceIdentity('shaanxi'), office]) {
      expect((await askJiangsu(identity)).errors?.map((error) => error.extensions?.code)).toEqual(['FORBIDDEN']);
    }
    expect((await askJiangsu(serviceIdentity('pairing'))).data).toEqual({
      fundingByProjectAndYear: [{ projectId, organizationId: TONGTAI, kind: 'COMMITMENT', fen: '12345678' }],
    });
  });

  it('sums only the kinds of entries asked for: none for an empty list, and refuses pledges', async () => {
    const pairing = serviceIdentity('pairing');
    const commitment = { projectId, organizationId: TONGTAI, kind: 'COMMITMENT', fen: '12345678' };
    expect((await askJiangsu(pairing, ['COMMITMENT', 'DISBURSEMENT'])).data).toEqual({ fundingByProjectAndYear: [commitment] });
    expect((await askJiangsu(pairing)).data).toEqual({ fundingByProjectAndYear: [commitment] });
    expect((await askJiangsu(pairing, ['DISBURSEMENT'])).data).toEqual({ fundingByProjectAndYear: [] });
    expect((await askJiangsu(pairing, [])).data).toEqual({ fundingByProjectAndYear: [] });
    // Pledges promise money the tracking does not count: they are not summed by year.
    const pledges = await askJiangsu(pairing, ['COMMITMENT', 'PLEDGE']);
    expect(pledges.errors?.map((error) => error.extensions?.code)).toEqual(['BAD_USER_INPUT']);
  });

  it("gives the pairing each province's organization kinds in one request, outside the public graph", async () => {
    const token = await hub.token('JIANGSU_OFFICE');
    for (const field of ['jiangsuOrganizationKinds', 'shaanxiOrganizationKinds']) {
      const gateway = await hub.query(`{ ${field}(ids: ["${TONGTAI}"]) { id kind } }`, {}, { token });
      expect(gateway.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    }
    const pairing = serviceIdentity('pairing');
    // An id the province does not know, one no key could be, and the same id twice: left out, not an error.
    const ids = [TONGTAI, 'js-nobody', 'js-\u0000', TONGTAI];
    const jiangsu = await ask('jiangsu', pairing, 'query ($ids: [ID!]!) { jiangsuOrganizationKinds(ids: $ids) { id kind } }', { ids });
    expect(jiangsu).toEqual({ data: { jiangsuOrganizationKinds: [{ id: TONGTAI, kind: 'FOUNDATION' }] } });
    const shaanxi = await ask('shaanxi', pairing, 'query ($ids: [ID!]!) { shaanxiOrganizationKinds(ids: $ids) { id kind } }', { ids });
    expect(shaanxi).toEqual({ data: { shaanxiOrganizationKinds: [] } });
  });
});
