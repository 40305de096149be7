import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub, type Topology } from '@hub/testkit';

const CEREMONY_AND_COUNTY = /* GraphQL */ `
  query CeremonyAndCounty {
    ceremony(id: "2017-12-28-xian") {
      heldOn
      cityNameZh
      declaredProjectCount
      declaredTotal { fen yuan currency }
      signatoryOrganizations {
        __typename
        id
        nameZh
        kind
        province
      }
      signatoryCounties { code nameZh prefecture { code nameZh } }
    }
    county(code: "610927") {
      nameZh
      prefecture { code nameZh }
      pairedJiangsuCity { code nameZh }
      projects { titleZh field raisedBy { nameZh } ceremony { id } }
    }
  }
`;

describe.each<Topology>(['all-in-one', 'distributed'])('the federated graph, %s', (topology) => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub(topology);
  });
  afterAll(() => hub?.stop());

  it('resolves a ceremony, its Jiangsu foundations and Shaanxi counties, and a county with its pairing and projects in one query', async () => {
    const result = await hub.query(CEREMONY_AND_COUNTY);
    expect(result.errors).toBeUndefined();
    const { ceremony, county } = result.data!;

    // pairing subgraph
    expect(ceremony).toMatchObject({
      heldOn: '2017-12-28',
      cityNameZh: '西安市',
      declaredProjectCount: 15,
      declaredTotal: { fen: 650_000_000, yuan: '6500000.00', currency: 'CNY' },
    });
    // Jiangsu subgraph, through the pairing's references
    expect(ceremony.signatoryOrganizations.map((o: { nameZh: string }) => o.nameZh).sort()).toEqual(
      ['江苏省扶贫基金会', '江苏省瑞华慈善基金会', '江苏省同泰慈善基金会', '苏州金螳螂公益慈善基金会'].sort(),
    );
    for (const organization of ceremony.signatoryOrganizations) {
      expect(organization).toMatchObject({ __typename: 'JiangsuOrganization', kind: 'FOUNDATION', province: 'JIANGSU' });
    }
    // Shaanxi subgraph, through the pairing's references
    expect(ceremony.signatoryCounties).toEqual([
      { code: '610622', nameZh: '延川县', prefecture: { code: '610600', nameZh: '延安市' } },
      { code: '610924', nameZh: '紫阳县', prefecture: { code: '610900', nameZh: '安康市' } },
      { code: '610929', nameZh: '白河县', prefecture: { code: '610900', nameZh: '安康市' } },
      { code: '611024', nameZh: '山阳县', prefecture: { code: '611000', nameZh: '商洛市' } },
    ]);

    // Shaanxi owns the county; Jiangsu answers its paired city (@requires the prefecture);
    // the pairing answers each project's ceremony batch.
    expect(county.nameZh).toBe('镇坪县');
    expect(county.prefecture).toEqual({ code: '610900', nameZh: '安康市' });
    expect(county.pairedJiangsuCity).toEqual({ code: '320400', nameZh: '常州市' });
    expect(county.projects.map((p: { titleZh: string }) => p.titleZh).sort()).toEqual(
      ['妈妈的针线包', '爷爷家的老蜂蜜', '我在镇坪有块田'].sort(),
    );
    for (const project of county.projects) {
      expect(project).toMatchObject({ field: 'INDUSTRY', raisedBy: { nameZh: '镇坪县义工协会' }, ceremony: null });
    }
  });

  it('lists the organizations taking part across both provinces, each resolved by its own province', async () => {
    const result = await hub.query(`{
      participants {
        province
        roles
        organization { __typename id nameZh kind }
      }
    }`);
    expect(result.errors).toBeUndefined();
    const participants = result.data!.participants as {
      province: string;
      roles: string[];
      organization: { __typename: string; id: string; nameZh: string; kind: string };
    }[];
    const byName = new Map(participants.map((p) => [p.organization.nameZh, p]));
    expect(byName.get('陕西省民政厅')).toMatchObject({
      province: 'SHAANXI',
      roles: ['AGREEMENT_PARTY', 'CEREMONY_HOST'],
      organization: { __typename: 'ShaanxiOrganization', kind: 'GOVERNMENT_OFFICE' },
    });
    expect(byName.get('江苏省民政厅')).toMatchObject({
      province: 'JIANGSU',
      roles: ['AGREEMENT_PARTY', 'CEREMONY_HOST'],
      organization: { __typename: 'JiangsuOrganization', kind: 'GOVERNMENT_OFFICE' },
    });
    expect(byName.get('陕西省社会工作协会')?.roles).toEqual(['COORDINATOR']);
    expect(participants.filter((p) => p.roles.includes('SIGNATORY'))).toHaveLength(4);
    expect(new Set(participants.map((p) => p.province))).toEqual(new Set(['SHAANXI', 'JIANGSU']));
  });

  it('extends entities owned elsewhere: the ceremonies a county and a foundation signed at', async () => {
    const result = await hub.query(`{
      county(code: "611024") { nameZh signingCeremonies { id } }
      jiangsuOrganization(id: "js-ruihua-charity-foundation") { nameZh ceremonies { id heldOn } }
    }`);
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({
      county: { nameZh: '山阳县', signingCeremonies: [{ id: '2017-12-28-xian' }] },
      jiangsuOrganization: {
        nameZh: '江苏省瑞华慈善基金会',
        ceremonies: [{ id: '2017-12-28-xian', heldOn: '2017-12-28' }],
      },
    });
  });

  it('answers its health endpoint', async () => {
    const response = await fetch(`${hub.origin}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ok', topology });
  });
});
