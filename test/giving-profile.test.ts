import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import type { Identity } from '@hub/common';
import { queryRows } from '@hub/db';
import { signIdentity, type Peers } from '@hub/server';
import { startTestHub, tableChecksums, type GraphQLResult, type TestHub, type Topology } from '@hub/testkit';
import { jiangsuSubgraph } from '../subgraphs/jiangsu/src/index.ts';
import { resolvers } from '../subgraphs/jiangsu/src/resolvers/index.ts';
import { GivingProfileStore, type GivingProfileSetting } from '../subgraphs/jiangsu/src/store/giving-profile-store.ts';
import { waitForLockWaits } from './support/row-barrier.ts';

/**
 * A Jiangsu organization's giving profile (docs/decisions/0026-matching.md): set by its own
 * members only, at a version, every version kept; its Shaanxi places checked with Shaanxi; a
 * private one read by its members, the province offices and services, and null to anyone else.
 */
const RUIHUA = 'js-ruihua-charity-foundation';
const TONGTAI = 'js-tongtai-charity-foundation';
const PROFILE_TABLES = ['jiangsu.giving_profile', 'jiangsu.giving_profile_version'];

const SET = /* GraphQL */ `
  mutation ($input: GivingProfileInput!) {
    setGivingProfile(input: $input) { organizationId version public provenance { kind } }
  }
`;

const PROFILE = /* GraphQL */ `
  query ($id: ID!) {
    jiangsuOrganization(id: $id) {
      givingProfile {
        organizationId organization { id }
        fields preferredPrefectures { code nameZh } preferredCounties { code nameZh }
        countPairedCity pairedCity { code nameZh }
        prioritizeDeepPoverty prioritizeRevolutionaryOldArea
        yearlyBudget { fen yuan currency } smallestGrant { fen } largestGrant { fen }
        reportingLanguages public version updatedAt provenance { kind }
        versions { version setAt setByRole fields preferredPrefectureCodes preferredCountyCodes countPairedCity public largestGrant { fen } reportingLanguages }
      }
    }
  }
`;

describe.each<Topology>(['all-in-one', 'distributed'])('giving profiles, %s', (topology) => {
  let hub: TestHub;
  let tokens: { ruihua: string; tongtai: string; jiangsu: string; shaanxi: string };
  let made = 0;

  beforeAll(async () => {
    // With the demo data, for the demo foundations' profiles; every other test uses its own organization.
    hub = await startTestHub(topology, { DEMO_DATA: 'true' });
    tokens = {
      ruihua: await hub.token('FOUNDATION_MEMBER', RUIHUA),
      tongtai: await hub.token('FOUNDATION_MEMBER', TONGTAI),
      jiangsu: await hub.token('JIANGSU_OFFICE'),
      shaanxi: await hub.token('SHAANXI_OFFICE'),
    };
  });
  afterAll(() => hub?.stop());

  const fingerprint = () => tableChecksums(hub.database.db, PROFILE_TABLES);

  /** A foundation of its own for one test, registered by the Jiangsu office, with a member's token. */
  async function foundation(cityCode: string | null = null): Promise<{ id: string; member: string }> {
    made += 1;
    const created = await hub.query(
      `mutation ($input: CreateJiangsuOrganizationInput!) { createJiangsuOrganization(input: $input) { id } }`,
      { input: { nameZh: `测试基金会（画像 ${topology} ${made}）`, kind: 'FOUNDATION', cityCode } },
      { token: tokens.jiangsu },
    );
    expect(created.errors).toBeUndefined();
    const id = created.data!.createJiangsuOrganization.id as string;
    return { id, member: await hub.token('FOUNDATION_MEMBER', id) };
  }

  const set = (token: string | undefined, input: Record<string, unknown>) => hub.query(SET, { input }, { token });
  const read = async (id: string, token?: string) => {
    const result = await hub.query(PROFILE, { id }, { token });
    expect(result.errors).toBeUndefined();
    return result.data!.jiangsuOrganization.givingProfile;
  };
  const codeOf = (result: GraphQLResult) => result.errors?.[0]?.extensions?.code;

  it("lets a member set its organization's profile and read it back, with its places named by Shaanxi and its city's pairing", async () => {
    const { id, member } = await foundation('320500');
    const first = await set(member, {
      organizationId: id,
      expectedVersion: 0,
      fields: ['EDUCATION', 'CHILD_WELFARE'],
      preferredPrefectureCodes: ['610100'],
      preferredCountyCodes: ['610927', '610981'],
      prioritizeDeepPoverty: true,
      yearlyBudget: { fen: 300_000_000 },
      smallestGrant: { fen: 1_000_000 },
      largestGrant: { fen: 50_000_000 },
      reportingLanguages: ['ZH', 'EN'],
    });
    expect(first.errors).toBeUndefined();
    expect(first.data!.setGivingProfile).toEqual({ organizationId: id, version: 1, public: false, provenance: { kind: 'ENTERED' } });

    const profile = await read(id, member);
    expect(profile).toMatchObject({
      organizationId: id,
      organization: { id },
      fields: ['EDUCATION', 'CHILD_WELFARE'],
      preferredPrefectures: [{ code: '610100', nameZh: '西安市' }],
      // 旬阳 named by its current code (610981) is kept under the code the records use.
      preferredCounties: [
        { code: '610927', nameZh: '镇坪县' },
        { code: '610928', nameZh: '旬阳县' },
      ],
      // Left out: the defaults.
      countPairedCity: true,
      prioritizeRevolutionaryOldArea: false,
      public: false,
      pairedCity: { code: '320500' },
      prioritizeDeepPoverty: true,
      yearlyBudget: { fen: 300_000_000, yuan: '3000000.00', currency: 'CNY' },
      smallestGrant: { fen: 1_000_000 },
      largestGrant: { fen: 50_000_000 },
      reportingLanguages: ['ZH', 'EN'],
      version: 1,
      provenance: { kind: 'ENTERED' },
    });
    expect(profile.versions).toHaveLength(1);
    expect(profile.versions[0]).toMatchObject({ version: 1, setByRole: 'FOUNDATION_MEMBER', preferredCountyCodes: ['610927', '610928'] });
    expect(profile.versions[0].setAt).toBe(profile.updatedAt);
  });

  it('sets the profile again at its version and keeps both versions, the first as it was', async () => {
    const { id, member } = await foundation('320500');
    expect((await set(member, { organizationId: id, expectedVersion: 0, fields: ['MEDICAL_AID'], largestGrant: { fen: 9_000_000 } })).errors).toBeUndefined();
    const second = await set(member, { organizationId: id, expectedVersion: 1, preferredCountyCodes: ['610929'], countPairedCity: false, public: true });
    expect(second.errors).toBeUndefined();
    expect(second.data!.setGivingProfile).toMatchObject({ version: 2, public: true });

    const profile = await read(id, member);
    // The whole profile is replaced: what the second setting left out took its default.
    expect(profile).toMatchObject({ version: 2, fields: [], largestGrant: null, countPairedCity: false, pairedCity: null, public: true });
    expect(profile.versions).toEqual([
      expect.objectContaining({ version: 1, fields: ['MEDICAL_AID'], preferredCountyCodes: [], countPairedCity: true, public: false, largestGrant: { fen: 9_000_000 } }),
      expect.objectContaining({ version: 2, fields: [], preferredCountyCodes: ['610929'], countPairedCity: false, public: true, largestGrant: null }),
    ]);
  });

  it("sets a seeded foundation's profile at the version it stands at; its pairedCity is null, as it has no city", async () => {
    const stands = await hub.query(`{ jiangsuOrganization(id: "${RUIHUA}") { givingProfile { version } } }`, {}, { token: tokens.ruihua });
    const version = stands.data!.jiangsuOrganization.givingProfile?.version ?? 0;
    const result = await set(tokens.ruihua, { organizationId: RUIHUA, expectedVersion: version, fields: ['LIVELIHOOD'], public: true });
    expect(result.errors).toBeUndefined();
    expect(await read(RUIHUA)).toMatchObject({ version: version + 1, fields: ['LIVELIHOOD'], countPairedCity: true, pairedCity: null, provenance: { kind: 'ENTERED' } });
  });

  it('refuses a setting made at a stale version with VERSION_CONFLICT and writes nothing', async () => {
    const { id, member } = await foundation();
    expect((await set(member, { organizationId: id, expectedVersion: 0 })).errors).toBeUndefined();
    expect((await set(member, { organizationId: id, expectedVersion: 1, fields: ['TALENT'] })).errors).toBeUndefined();
    const before = await fingerprint();
    for (const expectedVersion of [1, 0, 3]) {
      const stale = await set(member, { organizationId: id, expectedVersion, fields: ['OTHER'] });
      expect(stale.errors?.[0]?.extensions).toMatchObject({ code: 'VERSION_CONFLICT', expectedVersion, currentVersion: 2 });
    }
    expect(await fingerprint()).toEqual(before);
    expect(await read(id, member)).toMatchObject({ version: 2, fields: ['TALENT'] });
  });

  it("refuses anyone but the organization's own members: another foundation's member, both offices, the public", async () => {
    const { id } = await foundation();
    const before = await fingerprint();
    for (const [token, code] of [
      [tokens.tongtai, 'FORBIDDEN'],
      [tokens.jiangsu, 'FORBIDDEN'],
      [tokens.shaanxi, 'FORBIDDEN'],
      [undefined, 'UNAUTHENTICATED'],
    ] as const) {
      expect(codeOf(await set(token, { organizationId: id, expectedVersion: 0, public: true }))).toBe(code);
    }
    expect(await fingerprint()).toEqual(before);
    expect(await read(id, tokens.jiangsu)).toBeNull();
  });

  it('shows a private profile to its members and both offices only, and to anyone else as if there were none', async () => {
    const { id, member } = await foundation();
    const none = await foundation();
    expect((await set(member, { organizationId: id, expectedVersion: 0, fields: ['INDUSTRY'] })).errors).toBeUndefined();
    for (const token of [member, tokens.jiangsu, tokens.shaanxi]) {
      expect(await read(id, token)).toMatchObject({ organizationId: id, fields: ['INDUSTRY'], public: false, versions: [{ version: 1 }] });
    }
    for (const token of [tokens.tongtai, undefined]) {
      // The same answer as for an organization that has set none.
      expect(await read(id, token)).toBeNull();
      expect(await read(none.id, token)).toBeNull();
    }
  });

  it('shows a public profile to anyone, and its versions only to its members and the offices', async () => {
    const { id, member } = await foundation();
    expect((await set(member, { organizationId: id, expectedVersion: 0, fields: ['DISABILITY'], public: true })).errors).toBeUndefined();
    for (const token of [tokens.tongtai, undefined]) {
      expect(await read(id, token)).toMatchObject({ organizationId: id, fields: ['DISABILITY'], public: true, versions: [] });
    }
    for (const token of [member, tokens.jiangsu, tokens.shaanxi]) {
      expect((await read(id, token)).versions).toEqual([expect.objectContaining({ version: 1, fields: ['DISABILITY'] })]);
    }
  });

  /**
   * The GivingProfile entity, as another subgraph's reference reaches it: over HTTP with the
   * caller's signed identity where the subgraphs are services of their own, else through the
   * subgraph's own resolver with that identity.
   */
  async function profileEntity(identity: Identity, organizationId: string): Promise<{ organizationId: string; versions: number } | null> {
    if (topology === 'distributed') {
      const body = JSON.stringify({
        query: `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on GivingProfile { organizationId versions { version } } } }`,
        variables: { representations: [{ __typename: 'GivingProfile', organizationId }] },
      });
      const headers = await signIdentity(identity, { secret: hub.config.internalSecret, audience: 'jiangsu', body });
      const response = await fetch(hub.subgraphUrls.jiangsu!, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
      const payload = (await response.json()) as { data: { _entities: ({ organizationId: string; versions: unknown[] } | null)[] }; errors?: unknown };
      expect(payload.errors).toBeUndefined();
      const entity = payload.data._entities[0];
      return entity ? { organizationId: entity.organizationId, versions: entity.versions.length } : null;
    }
    const peers: Peers = { query: () => Promise.reject(new Error('reading a profile asks no peer')) };
    const context = jiangsuSubgraph.createContext(hub.database.db, identity, peers);
    const row = await resolvers.GivingProfile.__resolveReference({ organizationId }, context);
    return row ? { organizationId: row.organizationId, versions: (await resolvers.GivingProfile.versions(row, {}, context)).length } : null;
  }

  it('applies the same rule where the GivingProfile entity is resolved by reference', async () => {
    const { id, member } = await foundation();
    expect((await set(member, { organizationId: id, expectedVersion: 0 })).errors).toBeUndefined();
    const as = (role: Identity['role'], organizationId: string | null = null): Identity => ({ role, subject: `test-${role}`, organizationId });
    expect(await profileEntity(as('PUBLIC'), id)).toBeNull();
    expect(await profileEntity(as('FOUNDATION_MEMBER', TONGTAI), id)).toBeNull();
    for (const identity of [as('FOUNDATION_MEMBER', id), as('JIANGSU_OFFICE'), as('SHAANXI_OFFICE'), as('SERVICE')]) {
      expect(await profileEntity(identity, id)).toEqual({ organizationId: id, versions: 1 });
    }
  });

  it('refuses bad places, amounts and languages with an error naming the field, and writes nothing', async () => {
    const { id, member } = await foundation();
    const before = await fingerprint();
    const prefectures = ['610100', '610200', '610300', '610400', '610500', '610600', '610700', '610800', '610900', '611000'];
    const cases: [input: Record<string, unknown>, code: string, field: string][] = [
      // A Jiangsu city, a Jiangsu county, a county named as a prefecture and the other way round.
      [{ preferredPrefectureCodes: ['610900', '320500'] }, 'BAD_USER_INPUT', 'input.preferredPrefectureCodes[1]'],
      [{ preferredCountyCodes: ['320585'] }, 'BAD_USER_INPUT', 'input.preferredCountyCodes[0]'],
      [{ preferredPrefectureCodes: ['610927'] }, 'BAD_USER_INPUT', 'input.preferredPrefectureCodes[0]'],
      [{ preferredCountyCodes: ['610900'] }, 'BAD_USER_INPUT', 'input.preferredCountyCodes[0]'],
      [{ preferredPrefectureCodes: ['610000'] }, 'BAD_USER_INPUT', 'input.preferredPrefectureCodes[0]'],
      // Codes of the right shape that Shaanxi does not know.
      [{ preferredCountyCodes: ['610927', '610999'] }, 'NOT_FOUND', 'input.preferredCountyCodes[1]'],
      [{ preferredPrefectureCodes: ['611100'] }, 'NOT_FOUND', 'input.preferredPrefectureCodes[0]'],
      // Too many, or the same twice (a renamed county by both its codes, too).
      [{ preferredPrefectureCodes: [...prefectures, '610900'] }, 'BAD_USER_INPUT', 'input.preferredPrefectureCodes'],
      [{ preferredCountyCodes: Array.from({ length: 51 }, (_, i) => `6109${String(i + 1).padStart(2, '0')}`) }, 'BAD_USER_INPUT', 'input.preferredCountyCodes'],
      [{ preferredCountyCodes: ['610927', '610929', '610927'] }, 'BAD_USER_INPUT', 'input.preferredCountyCodes[2]'],
      [{ preferredCountyCodes: ['610928', '610981'] }, 'BAD_USER_INPUT', 'input.preferredCountyCodes[1]'],
      [{ fields: ['EDUCATION', 'EDUCATION'] }, 'BAD_USER_INPUT', 'input.fields[1]'],
      [{ reportingLanguages: ['EN', 'EN'] }, 'BAD_USER_INPUT', 'input.reportingLanguages[1]'],
      // Money: nothing, below nothing, beyond one entry's limit, a range upside down.
      [{ smallestGrant: { fen: 0 } }, 'BAD_USER_INPUT', 'input.smallestGrant.fen'],
      [{ largestGrant: { fen: -5 } }, 'BAD_USER_INPUT', 'input.largestGrant.fen'],
      [{ yearlyBudget: { fen: 100_000_000_001 } }, 'BAD_USER_INPUT', 'input.yearlyBudget.fen'],
      [{ smallestGrant: { fen: 2_000_000 }, largestGrant: { fen: 1_999_999 } }, 'BAD_USER_INPUT', 'input.smallestGrant'],
      [{ reportingLanguages: [] }, 'BAD_USER_INPUT', 'input.reportingLanguages'],
      [{ expectedVersion: -1 }, 'BAD_USER_INPUT', 'input.expectedVersion'],
    ];
    for (const [input, code, field] of cases) {
      const result = await set(member, { organizationId: id, expectedVersion: 0, ...input });
      expect(result.errors?.[0]?.extensions, JSON.stringify(input)).toMatchObject({ code, field });
      expect(result.errors?.[0]?.message).toContain(field);
    }
    expect(await fingerprint()).toEqual(before);
  });

  it('answers NOT_FOUND naming input.organizationId for a member of an organization that does not exist', async () => {
    const ghost = 'js-no-such-foundation';
    const result = await set(await hub.token('FOUNDATION_MEMBER', ghost), { organizationId: ghost, expectedVersion: 0 });
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', field: 'input.organizationId' });
    expect(result.errors?.[0]?.message).toContain(ghost);
  });

  it('lets the store write one of two first settings and one of two settings at one version; the other is a version conflict', async () => {
    const { id } = await foundation();
    // The store's write alone, with no check in front of it: the primary key and the version predicate decide.
    const store = new GivingProfileStore(hub.database.db);
    const setting = (expectedVersion: number, fields: GivingProfileSetting['content']['fields']): GivingProfileSetting => ({
      organizationId: id,
      expectedVersion,
      content: {
        fields,
        preferredPrefectureCodes: [],
        preferredCountyCodes: [],
        countPairedCity: true,
        prioritizeDeepPoverty: false,
        prioritizeRevolutionaryOldArea: false,
        yearlyBudgetFen: null,
        smallestGrantFen: null,
        largestGrantFen: null,
        reportingLanguages: ['ZH'],
        public: false,
      },
      setByRole: 'FOUNDATION_MEMBER',
      setBySubject: null,
      provenanceKind: 'ENTERED',
    });
    const versions = async () =>
      (await queryRows<{ version: number }>(hub.database.db, sql`select version from jiangsu.giving_profile_version where organization_id = ${id} order by version`)).map(
        (row) => Number(row.version),
      );
    const created = await Promise.all([store.setProfile(setting(0, ['EDUCATION'])), store.setProfile(setting(0, ['INDUSTRY']))]);
    expect(created.map((outcome) => outcome.type).sort()).toEqual(['set', 'version-conflict']);
    expect(created.find((outcome) => outcome.type === 'version-conflict')).toEqual({ type: 'version-conflict', currentVersion: 1 });
    expect(await versions()).toEqual([1]);

    const changed = await Promise.all([store.setProfile(setting(1, ['TALENT'])), store.setProfile(setting(1, ['OTHER']))]);
    expect(changed.map((outcome) => outcome.type).sort()).toEqual(['set', 'version-conflict']);
    expect(changed.find((outcome) => outcome.type === 'version-conflict')).toEqual({ type: 'version-conflict', currentVersion: 2 });
    expect(await versions()).toEqual([1, 2]);
  });

  // Through the gateway, on a Postgres server: another connection holds the organization's row,
  // which each insert's foreign key must share, so both requests pass every check (the member,
  // the organization, the input, Shaanxi's answer for the county) and wait at their insert
  // before either commits. Only the profile's primary key can then stop the second.
  it.runIf(process.env.TEST_DATABASE_URL)('lets exactly one of two first settings made together win; the other gets VERSION_CONFLICT', async () => {
    const { id, member } = await foundation();
    const first = (fields: string[]) => set(member, { organizationId: id, expectedVersion: 0, fields, preferredCountyCodes: ['610927'] });
    let racing: Promise<GraphQLResult[]> | undefined;
    await hub.database.db.transaction(async (holder) => {
      await holder.execute(sql`select 1 from jiangsu.organization where id = ${id} for update`);
      racing = Promise.all([first(['EDUCATION']), first(['INDUSTRY'])]);
      racing.catch(() => {});
      await waitForLockWaits(hub, ['insert into "jiangsu"."giving_profile" %'], 2, 'profile inserts');
    });
    const answers = await racing!;
    expect(answers.map((answer) => codeOf(answer) ?? 'set').sort()).toEqual(['VERSION_CONFLICT', 'set']);
    const winner = answers.find((answer) => !answer.errors)!;
    expect(winner.data!.setGivingProfile.version).toBe(1);
    const profile = await read(id, member);
    expect(profile.versions).toHaveLength(1);
    expect(profile.versions[0].fields).toEqual(profile.fields);
  });

  it("reads every listed organization's profile, versions and paired city in one statement per table", async () => {
    const { id, member } = await foundation('320200');
    expect((await set(member, { organizationId: id, expectedVersion: 0, public: true })).errors).toBeUndefined();
    const { result, statements } = await hub.countStatements(() =>
      hub.query(
        `{ jiangsuOrganizations { id givingProfile { organization { id } pairedCity { code } versions { version } preferredCounties { code } } } }`,
        {},
        { token: tokens.jiangsu },
      ),
    );
    expect(result.errors).toBeUndefined();
    const profiles = result.data!.jiangsuOrganizations.filter((organization: { givingProfile: unknown }) => organization.givingProfile);
    // The three demo foundations' and this one's, at least.
    expect(profiles.length).toBeGreaterThanOrEqual(4);
    const reading = (table: RegExp) => statements.filter((statement) => table.test(statement));
    expect(reading(/from "jiangsu"\."giving_profile"/)).toHaveLength(1);
    expect(reading(/from "jiangsu"\."giving_profile_version"/)).toHaveLength(1);
    expect(reading(/from "jiangsu"\."city"/)).toHaveLength(1);
  });

  it('keeps every version as it was set: the database refuses to change or delete one', async () => {
    const { id, member } = await foundation();
    expect((await set(member, { organizationId: id, expectedVersion: 0, fields: ['EDUCATION'] })).errors).toBeUndefined();
    const before = await fingerprint();
    await expect(hub.database.db.execute(sql`update jiangsu.giving_profile_version set public = true where organization_id = ${id}`)).rejects.toThrow();
    await expect(hub.database.db.execute(sql`delete from jiangsu.giving_profile_version where organization_id = ${id}`)).rejects.toThrow();
    expect(await fingerprint()).toEqual(before);
  });

  it("reads the demo foundations' public profiles as synthetic demo data, and keeps the private one from the public", async () => {
    const jiangnan = await read('js-demo-jiangnan-education');
    expect(jiangnan).toMatchObject({
      fields: ['EDUCATION', 'CHILD_WELFARE'],
      preferredPrefectures: [{ code: '610900', nameZh: '安康市' }],
      preferredCounties: [],
      pairedCity: { code: '320500' },
      prioritizeDeepPoverty: true,
      prioritizeRevolutionaryOldArea: false,
      // 5,000,000 yuan a year, grants of 100,000 to 1,000,000 yuan.
      yearlyBudget: { fen: 500_000_000 },
      smallestGrant: { fen: 10_000_000 },
      largestGrant: { fen: 100_000_000 },
      reportingLanguages: ['ZH', 'EN'],
      public: true,
      provenance: { kind: 'SYNTHETIC_DEMO' },
      versions: [],
    });
    const taihu = await read('js-demo-taihu-health');
    expect(taihu).toMatchObject({
      fields: ['MEDICAL_AID', 'DISABILITY'],
      preferredPrefectures: [],
      preferredCounties: [{ code: '610927' }, { code: '610929' }],
      prioritizeRevolutionaryOldArea: true,
      yearlyBudget: null,
      smallestGrant: { fen: 5_000_000 },
      largestGrant: { fen: 50_000_000 },
      reportingLanguages: ['ZH'],
      provenance: { kind: 'SYNTHETIC_DEMO' },
    });
    expect(await read('js-demo-huaihe-industry')).toBeNull();
    const huaihe = await read('js-demo-huaihe-industry', tokens.jiangsu);
    expect(huaihe).toMatchObject({ public: false, provenance: { kind: 'SYNTHETIC_DEMO' } });
    expect(huaihe.versions[0]).toMatchObject({ version: 1 });
  });

  it("keeps a demo foundation's profile demo data when its member sets it again", async () => {
    const member = await hub.token('FOUNDATION_MEMBER', 'js-demo-huaihe-industry');
    const stands = (await read('js-demo-huaihe-industry', member)).version;
    const result = await set(member, { organizationId: 'js-demo-huaihe-industry', expectedVersion: stands, fields: ['INDUSTRY'], preferredPrefectureCodes: ['610800'] });
    expect(result.errors).toBeUndefined();
    expect(result.data!.setGivingProfile).toMatchObject({ version: stands + 1, public: false, provenance: { kind: 'SYNTHETIC_DEMO' } });
  });
});
