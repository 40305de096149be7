import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '@hub/testkit';
import { PeerDirectory, startSubgraph } from '@hub/server';
import { shaanxiSubgraph } from '@hub/subgraph-shaanxi';
import { jiangsuSubgraph } from '@hub/subgraph-jiangsu';
import { pairingSubgraph } from '@hub/subgraph-pairing';
import { sql } from 'drizzle-orm';
import { queryRows } from '@hub/db';

/** The seed is the public record, exactly as docs/sources/FACTS.md states it, and says so. */
describe('the public-record seed', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub('all-in-one');
  });
  afterAll(() => hub?.stop());

  it("loads Shaanxi's 56 poverty counties in its 10 prefectures, with what is and is not known", async () => {
    const result = await hub.query(`{
      prefectures { code nameZh revolutionaryOldArea counties { code } }
      counties(first: 100, filter: { povertyCounty: true }) { totalCount }
      ziyang: county(code: "610924") { nameZh deepPoverty exitedPovertyYear revolutionaryOldArea }
      zhenping: county(code: "610927") { deepPoverty exitedPovertyYear provenance { kind detail source { id file } } }
      deep: counties(filter: { deepPoverty: true }) { nodes { code } }
    }`);
    expect(result.errors).toBeUndefined();
    const data = result.data!;
    expect(data.prefectures).toHaveLength(10);
    // Every county-level division is there too, each once: Shaanxi's 31 districts, 7 county-level
    // cities and 69 counties (test/divisions.test.ts); 56 of them are poverty counties.
    expect(data.prefectures.reduce((sum: number, p: { counties: unknown[] }) => sum + p.counties.length, 0)).toBe(107);
    expect(data.counties.totalCount).toBe(56);
    const oldArea = data.prefectures.filter((p: { revolutionaryOldArea: boolean | null }) => p.revolutionaryOldArea);
    expect(oldArea.map((p: { nameZh: string }) => p.nameZh).sort()).toEqual(['延安市', '榆林市', '铜川市'].sort());
    // Only 紫阳县 is reported as a deep-poverty county; the rest are unknown, not false.
    expect(data.ziyang).toEqual({ nameZh: '紫阳县', deepPoverty: true, exitedPovertyYear: 2019, revolutionaryOldArea: null });
    expect(data.deep.nodes).toEqual([{ code: '610924' }]);
    expect(data.zhenping).toMatchObject({
      deepPoverty: null,
      exitedPovertyYear: 2018,
      provenance: {
        kind: 'PUBLIC_RECORD',
        detail: expect.stringMatching(/^line \d+$/),
        source: { id: 'shaanxi-poverty-counties', file: 'subgraphs/shaanxi/seed/shaanxi-poverty-counties.csv' },
      },
    });
  });

  it('loads the ten city pairings, marking the two documented only at county level', async () => {
    const result = await hub.query(`{
      cityPairings {
        jiangsuCity { nameZh }
        shaanxiPrefecture { nameZh }
        evidence
        sinceYear
        countyPairs { jiangsuCountyNameZh shaanxiCounty { nameZh } sinceYear }
      }
    }`);
    expect(result.errors).toBeUndefined();
    const pairings = result.data!.cityPairings;
    expect(pairings).toHaveLength(10);
    const countyOnly = pairings.filter((p: { evidence: string }) => p.evidence === 'COUNTY_ONLY');
    expect(countyOnly.map((p: { jiangsuCity: { nameZh: string } }) => p.jiangsuCity.nameZh).sort()).toEqual(
      ['盐城市', '苏州市'].sort(),
    );
    const changzhou = pairings.find((p: { jiangsuCity: { nameZh: string } }) => p.jiangsuCity.nameZh === '常州市');
    expect(changzhou).toMatchObject({ shaanxiPrefecture: { nameZh: '安康市' }, evidence: 'CITY', sinceYear: 1996 });
    const suzhou = pairings.find((p: { jiangsuCity: { nameZh: string } }) => p.jiangsuCity.nameZh === '苏州市');
    expect(suzhou.countyPairs).toEqual([{ jiangsuCountyNameZh: '太仓', shaanxiCounty: { nameZh: '周至县' }, sinceYear: 2016 }]);
  });

  it('loads the agreement and the first ceremony exactly as the record states them', async () => {
    const result = await hub.query(`{
      agreements {
        titleZh
        termYears
        signedOn
        plannedProjectCount
        plannedFields
        jiangsuParty { nameZh }
        shaanxiParty { nameZh }
        coordinator { nameZh }
        focuses { position titleZh }
        progress { ceremoniesHeld projectsDeclared amountDeclared { yuan } }
        ceremonies { id heldOn cityNameZh venue declaredProjectCount declaredTotal { yuan } hosts { nameZh } }
        provenance { kind source { id } }
      }
    }`);
    expect(result.errors).toBeUndefined();
    expect(result.data!.agreements).toEqual([
      {
        titleZh: '组织引导社会组织参与脱贫协议',
        termYears: 3,
        signedOn: null,
        plannedProjectCount: 47,
        plannedFields: ['LIVELIHOOD', 'INDUSTRY', 'TECHNOLOGY_AND_CULTURE', 'TALENT'],
        jiangsuParty: { nameZh: '江苏省民政厅' },
        shaanxiParty: { nameZh: '陕西省民政厅' },
        coordinator: { nameZh: '陕西省社会工作协会' },
        focuses: [
          { position: 1, titleZh: '聚焦陕西省56个贫困县' },
          { position: 2, titleZh: '聚焦革命老区和深度贫困县及深度贫困村' },
          { position: 3, titleZh: '聚焦帮困家庭和帮困人群' },
          { position: 4, titleZh: '聚焦重点帮扶领域' },
        ],
        progress: { ceremoniesHeld: 1, projectsDeclared: 15, amountDeclared: { yuan: '6500000.00' } },
        ceremonies: [
          {
            id: '2017-12-28-xian',
            heldOn: '2017-12-28',
            cityNameZh: '西安市',
            venue: null,
            declaredProjectCount: 15,
            declaredTotal: { yuan: '6500000.00' },
            hosts: [{ nameZh: '江苏省民政厅' }, { nameZh: '陕西省民政厅' }],
          },
        ],
        provenance: { kind: 'PUBLIC_RECORD', source: { id: 'shaanxi-civil-affairs-2017-report' } },
      },
    ]);
  });

  it('says where every seeded record comes from', async () => {
    const missing = await queryRows<{ table_name: string; missing: number }>(
      hub.database.db,
      sql`
        select 'shaanxi.prefecture' as table_name, count(*)::int as missing from shaanxi.prefecture where source_id is null or provenance_kind <> 'PUBLIC_RECORD'
        union all select 'shaanxi.county', count(*)::int from shaanxi.county where source_id is null or provenance_kind <> 'PUBLIC_RECORD'
        union all select 'shaanxi.organization', count(*)::int from shaanxi.organization where source_id is null or provenance_kind <> 'PUBLIC_RECORD'
        union all select 'shaanxi.project_need', count(*)::int from shaanxi.project_need where source_id is null or provenance_kind <> 'PUBLIC_RECORD'
        union all select 'jiangsu.city', count(*)::int from jiangsu.city where source_id is null or provenance_kind <> 'PUBLIC_RECORD'
        union all select 'jiangsu.county', count(*)::int from jiangsu.county where source_id is null or provenance_kind <> 'PUBLIC_RECORD'
        union all select 'jiangsu.organization', count(*)::int from jiangsu.organization where source_id is null or provenance_kind <> 'PUBLIC_RECORD'
        union all select 'jiangsu.city_pairing', count(*)::int from jiangsu.city_pairing where source_id is null or provenance_kind <> 'PUBLIC_RECORD'
        union all select 'jiangsu.county_pair', count(*)::int from jiangsu.county_pair where source_id is null or provenance_kind <> 'PUBLIC_RECORD'
        union all select 'pairing.agreement', count(*)::int from pairing.agreement where source_id is null or provenance_kind <> 'PUBLIC_RECORD'
        union all select 'pairing.ceremony', count(*)::int from pairing.ceremony where source_id is null or provenance_kind <> 'PUBLIC_RECORD'`,
    );
    expect(missing.filter((row) => Number(row.missing) > 0)).toEqual([]);
  });

  it('loads once: starting the subgraphs again on the same database adds nothing', async () => {
    const countAll = () =>
      queryRows<{ total: number }>(
        hub.database.db,
        sql`select (select count(*) from shaanxi.county) + (select count(*) from shaanxi.organization)
              + (select count(*) from jiangsu.organization) + (select count(*) from pairing.ceremony_organization) as total`,
      );
    const before = await countAll();
    for (const module of [shaanxiSubgraph, jiangsuSubgraph, pairingSubgraph] as const) {
      const again = await startSubgraph(module as never, hub.database, new PeerDirectory().for(module.name));
      await again.stop();
    }
    expect(await countAll()).toEqual(before);
  });
});
