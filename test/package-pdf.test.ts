import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PdfWorkerPool, type PdfRenderer } from '@hub/gateway';
import { moveThrough, readPdf, startTestHub, type TestHub, type Topology } from '@hub/testkit';

/**
 * The printable ceremony package (issue 8, item 5): GET /ceremonies/{id}/packages/{version}.pdf
 * through the gateway over HTTP. A package not yet signed is printed for the two offices and
 * for members of its signatory organizations only; to anyone else it does not exist. The PDF
 * holds the ceremony, every signatory's Chinese name and the total, in an embedded subset of
 * the Chinese font.
 */

/** The Changzhou (常州, 320400) organizations and Ankang (安康) counties of the fixture: 常州 is paired with 安康. */
const JIANGSU_ORGANIZATIONS = ['常州市龙城慈善助学基金会', '常州市天宁区青果公益服务中心'] as const;
const SHAANXI_ORGANIZATIONS = ['紫阳县茶乡妇女互助协会', '平利县长安镇志愿者协会'] as const;
/**
 * Each line: the need's county, title and amount sought (the line's amount when none is
 * given), the Shaanxi organization that raised it and the Jiangsu organization it is matched
 * with. The total, worked by hand: 300,000.00 + 450,000.50 + 1,250,000.00 = 2,000,000.50 yuan.
 */
const NEEDS = [
  { countyCode: '610924', titleZh: '紫阳县留守儿童课后托管', fen: 30_000_000, shaanxi: 0, jiangsu: 0 },
  { countyCode: '610926', titleZh: '平利县乡村学校图书室', fen: 45_000_050, shaanxi: 1, jiangsu: 0 },
  { countyCode: '610924', titleZh: '紫阳县富硒茶产业技能培训', fen: 125_000_000, shaanxi: 0, jiangsu: 1 },
] as const;
const TOTAL_PRINTED = '2,000,000.50';
const CEREMONY_TITLE = '苏陕社会组织结对帮扶安康专场签约仪式';

const PACKAGE_FIELDS = 'id version status contentHash pdfPath total { yuan } lines { position shaanxiSignatory { nameZh } jiangsuOrganization { nameZh } }';

interface Fixture {
  ceremonyId: string;
  pdfPath: string;
  contentHash: string;
  version: number;
  jiangsuIds: string[];
  shaanxiIds: string[];
}

async function must<T = any>(hub: TestHub, document: string, variables: Record<string, unknown>, token: string): Promise<T> {
  const result = await hub.query(document, variables, { token });
  if (result.errors || !result.data) throw new Error(`${document.slice(0, 60)}… failed: ${JSON.stringify(result.errors)}`);
  return result.data as T;
}

/**
 * A real, finalized package, made through the graph as the offices make one: organizations in
 * 常州 and 安康, needs raised, published, matched and scheduled for a ceremony in 安康, a
 * package saved from the scheduled projects and finalized.
 */
async function finalizedPackage(hub: TestHub, offices: { shaanxi: string; jiangsu: string }): Promise<Fixture> {
  const jiangsuIds: string[] = [];
  for (const nameZh of JIANGSU_ORGANIZATIONS) {
    const data = await must(
      hub,
      `mutation ($input: CreateJiangsuOrganizationInput!) { createJiangsuOrganization(input: $input) { id } }`,
      { input: { nameZh, kind: 'FOUNDATION', cityCode: '320400' } },
      offices.jiangsu,
    );
    jiangsuIds.push(data.createJiangsuOrganization.id);
  }
  const shaanxiIds: string[] = [];
  for (const [index, nameZh] of SHAANXI_ORGANIZATIONS.entries()) {
    const data = await must(
      hub,
      `mutation ($input: CreateShaanxiOrganizationInput!) { createShaanxiOrganization(input: $input) { id } }`,
      { input: { nameZh, kind: 'ASSOCIATION', homeCountyCode: NEEDS[index]!.countyCode } },
      offices.shaanxi,
    );
    shaanxiIds.push(data.createShaanxiOrganization.id);
  }
  const scheduled = await must(
    hub,
    `mutation ($input: ScheduleCeremonyInput!) { scheduleCeremony(input: $input) { id } }`,
    {
      input: {
        agreementId: 'su-shaan-social-organizations-2017',
        titleZh: CEREMONY_TITLE,
        heldOn: '2018-06-18',
        cityCode: '610900',
        venue: '安康市民政局会议中心',
        hosts: [
          { id: 'sn-civil-affairs-department', province: 'SHAANXI' },
          { id: 'js-civil-affairs-department', province: 'JIANGSU' },
        ],
        idempotencyKey: randomUUID(),
      },
    },
    offices.shaanxi,
  );
  const ceremonyId: string = scheduled.scheduleCeremony.id;
  for (const need of NEEDS) {
    const raised = await must(
      hub,
      `mutation ($input: RaiseProjectNeedInput!) { raiseProjectNeed(input: $input) { id } }`,
      {
        input: {
          countyCode: need.countyCode,
          raisedByOrganizationId: shaanxiIds[need.shaanxi],
          titleZh: need.titleZh,
          field: 'EDUCATION',
          amountSought: { fen: need.fen },
        },
      },
      offices.shaanxi,
    );
    await moveThrough(hub, raised.raiseProjectNeed.id, ['PUBLISHED', 'MATCHED', 'SCHEDULED'], offices.shaanxi, {
      organizationId: jiangsuIds[need.jiangsu]!,
      ceremonyId,
    });
  }
  const saved = await must(
    hub,
    `mutation ($input: SaveCeremonyPackageInput!) { saveCeremonyPackage(input: $input) { ${PACKAGE_FIELDS} } }`,
    { input: { ceremonyId, expectedVersion: 0 } },
    offices.shaanxi,
  );
  expect(saved.saveCeremonyPackage.lines).toHaveLength(NEEDS.length);
  const version: number = saved.saveCeremonyPackage.version;
  const final = await must(
    hub,
    `mutation ($input: PackageVersionInput!) { finalizeCeremonyPackage(input: $input) { ${PACKAGE_FIELDS} } }`,
    { input: { ceremonyId, version } },
    offices.jiangsu,
  );
  const pkg = final.finalizeCeremonyPackage;
  expect(pkg.status).toBe('FINAL');
  expect(pkg.total.yuan).toBe('2000000.50');
  return { ceremonyId, pdfPath: pkg.pdfPath, contentHash: pkg.contentHash, version, jiangsuIds, shaanxiIds };
}

async function fetchPdf(hub: TestHub, path: string, token?: string) {
  const response = await fetch(`${hub.origin}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const bytes = Buffer.from(await response.arrayBuffer());
  return { status: response.status, headers: response.headers, bytes, json: () => JSON.parse(bytes.toString('utf8')) };
}

const flat = (text: string) => text.replace(/\n/g, '');

describe.each<Topology>(['all-in-one', 'distributed'])('the printed package (%s)', (topology) => {
  let hub: TestHub;
  let offices: { shaanxi: string; jiangsu: string };
  let fixture: Fixture;

  beforeAll(async () => {
    hub = await startTestHub(topology);
    offices = { shaanxi: await hub.token('SHAANXI_OFFICE'), jiangsu: await hub.token('JIANGSU_OFFICE') };
    fixture = await finalizedPackage(hub, offices);
  });
  afterAll(() => hub?.stop());

  it('is printed for an office: the ceremony, every signatory in Chinese, the total, the hash, in a subset of the font', async () => {
    expect(fixture.pdfPath).toBe(`/ceremonies/${encodeURIComponent(fixture.ceremonyId)}/packages/${fixture.version}.pdf`);
    const printed = await fetchPdf(hub, fixture.pdfPath, offices.shaanxi);
    expect(printed.status).toBe(200);
    expect(printed.headers.get('content-type')).toBe('application/pdf');
    expect(printed.headers.get('content-disposition')).toBe(`inline; filename="${fixture.ceremonyId}-v${fixture.version}.pdf"`);
    expect(printed.headers.get('cache-control')).toBe('private, no-store');
    expect(printed.bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');

    const pdf = await readPdf(printed.bytes);
    const text = flat(pdf.text);
    expect(text).toContain(CEREMONY_TITLE);
    expect(text).toContain('2018年6月18日');
    expect(text).toContain('安康市民政局会议中心');
    expect(text).toContain('陕西省民政厅');
    expect(text).toContain('江苏省民政厅');
    for (const name of [...JIANGSU_ORGANIZATIONS, ...SHAANXI_ORGANIZATIONS]) expect(text).toContain(name);
    for (const need of NEEDS) expect(text).toContain(need.titleZh);
    expect(text).toContain('紫阳县');
    expect(text).toContain('平利县');
    expect(text).toContain(`人民币 ${TOTAL_PRINTED} 元`);
    expect(text).toContain(`第 ${fixture.version} 版`);
    expect(text).toContain(fixture.contentHash);
    expect(text).not.toContain('演示');

    // A subset's name is six capital letters and a plus; the whole font file is over 10 MB.
    expect(pdf.fontNames.length).toBeGreaterThan(0);
    for (const name of pdf.fontNames) expect(name).toMatch(/^[A-Z]{6}\+NotoSansSC-/);
    expect(printed.bytes.length).toBeLessThan(500_000);
  });

  it('is printed for a member of a signatory organization, on either side', async () => {
    const jiangsuMember = await hub.token('FOUNDATION_MEMBER', fixture.jiangsuIds[1]);
    const fromJiangsu = await fetchPdf(hub, fixture.pdfPath, jiangsuMember);
    expect(fromJiangsu.status).toBe(200);
    expect(flat((await readPdf(fromJiangsu.bytes)).text)).toContain(TOTAL_PRINTED);
    const shaanxiMember = await hub.token('FOUNDATION_MEMBER', fixture.shaanxiIds[1]);
    expect((await fetchPdf(hub, fixture.pdfPath, shaanxiMember)).status).toBe(200);
  });

  it('does not exist for the public or a member of another organization', async () => {
    for (const token of [undefined, await hub.token('FOUNDATION_MEMBER', 'js-ruihua-charity-foundation')]) {
      const refused = await fetchPdf(hub, fixture.pdfPath, token);
      expect(refused.status).toBe(404);
      expect(refused.headers.get('content-type')).toMatch(/^application\/json/);
      const body = refused.json();
      expect(body.error.code).toBe('NOT_FOUND');
      expect(body.error.message).toEqual(expect.any(String));
      // Refused exactly as a package that does not exist is.
      const unknown = await fetchPdf(hub, `/ceremonies/${fixture.ceremonyId}/packages/${fixture.version + 40}.pdf`, token);
      expect(unknown.status).toBe(404);
    }
  });

  it('refuses a token that is not valid with 401, printing nothing', async () => {
    const forged = `${(await hub.token('SHAANXI_OFFICE')).slice(0, -4)}AAAA`;
    for (const authorization of [`Bearer ${forged}`, 'Basic b2ZmaWNlOnNlY3JldA==']) {
      const response = await fetch(`${hub.origin}${fixture.pdfPath}`, { headers: { authorization } });
      expect(response.status).toBe(401);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(((await response.json()) as any).error.code).toBe('UNAUTHENTICATED');
    }
  });
});

describe('a package that is not printed', () => {
  let hub: TestHub;
  let offices: { shaanxi: string; jiangsu: string };
  let fixture: Fixture;

  beforeAll(async () => {
    hub = await startTestHub('all-in-one');
    offices = { shaanxi: await hub.token('SHAANXI_OFFICE'), jiangsu: await hub.token('JIANGSU_OFFICE') };
    fixture = await finalizedPackage(hub, offices);
  });
  afterAll(() => hub?.stop());

  it('is a draft: 409 PACKAGE_NOT_FINAL, while the final version before it still prints', async () => {
    const draft = await must(
      hub,
      `mutation ($input: SaveCeremonyPackageInput!) { saveCeremonyPackage(input: $input) { version status pdfPath } }`,
      { input: { ceremonyId: fixture.ceremonyId, expectedVersion: fixture.version } },
      offices.shaanxi,
    );
    expect(draft.saveCeremonyPackage.status).toBe('DRAFT');
    expect(draft.saveCeremonyPackage.pdfPath).toBeNull();
    const refused = await fetchPdf(hub, `/ceremonies/${fixture.ceremonyId}/packages/${draft.saveCeremonyPackage.version}.pdf`, offices.jiangsu);
    expect(refused.status).toBe(409);
    expect(refused.json().error.code).toBe('PACKAGE_NOT_FINAL');
    expect((await fetchPdf(hub, fixture.pdfPath, offices.jiangsu)).status).toBe(200);
  });

  it('is not a package: unknown ceremonies and versions out of range are 404', async () => {
    for (const path of ['/ceremonies/no-such-ceremony/packages/1.pdf', `/ceremonies/${fixture.ceremonyId}/packages/0.pdf`, `/ceremonies/${fixture.ceremonyId}/packages/9999999999.pdf`]) {
      const refused = await fetchPdf(hub, path, offices.shaanxi);
      expect(refused.status).toBe(404);
      expect(refused.json().error.code).toBe('NOT_FOUND');
    }
  });

  it('is signed: then anyone may print it, and shared caches may keep it', async () => {
    const other = await finalizedPackage(hub, offices);
    const signed = await must(
      hub,
      `mutation ($input: PackageVersionInput!) { signCeremonyPackage(input: $input) { status } }`,
      { input: { ceremonyId: other.ceremonyId, version: other.version } },
      offices.jiangsu,
    );
    expect(signed.signCeremonyPackage.status).toBe('SIGNED');
    const printed = await fetchPdf(hub, other.pdfPath);
    expect(printed.status).toBe(200);
    expect(printed.headers.get('cache-control')).toMatch(/^public/);
    const text = flat((await readPdf(printed.bytes)).text);
    expect(text).toContain('已签约（SIGNED）');
    expect(text).toContain(other.contentHash);
  });

  it('is asked for with another method: 405', async () => {
    const response = await fetch(`${hub.origin}${fixture.pdfPath}`, { method: 'DELETE', headers: { authorization: `Bearer ${offices.shaanxi}` } });
    expect(response.status).toBe(405);
  });
});

/**
 * The hub's own render threads, counting the renders the printer asks of them, with a gate
 * that holds every render until it is opened (to fill the printer's line on purpose).
 */
class WatchedRenderer implements PdfRenderer {
  private readonly pool = new PdfWorkerPool(2);
  readonly concurrency = 2;
  renders = 0;
  private gate: Promise<void> = Promise.resolve();
  private open = () => {};

  hold(): void {
    this.gate = new Promise((resolve) => (this.open = resolve));
  }

  release(): void {
    this.open();
    this.gate = Promise.resolve();
  }

  async render(pkg: Parameters<PdfRenderer['render']>[0]): Promise<Buffer> {
    this.renders += 1;
    await this.gate;
    return this.pool.render(pkg);
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

function headOf(hub: TestHub, path: string, token?: string) {
  return fetch(`${hub.origin}${path}`, { method: 'HEAD', headers: token ? { authorization: `Bearer ${token}` } : {} });
}

describe('printing under load', () => {
  let hub: TestHub;
  let offices: { shaanxi: string; jiangsu: string };
  let final: Fixture;
  const renderer = new WatchedRenderer();

  beforeAll(async () => {
    hub = await startTestHub('all-in-one', {}, { pdfRenderer: renderer });
    offices = { shaanxi: await hub.token('SHAANXI_OFFICE'), jiangsu: await hub.token('JIANGSU_OFFICE') };
    final = await finalizedPackage(hub, offices);
  });
  afterAll(async () => {
    renderer.release();
    await hub?.stop();
    await renderer.close();
  });

  async function signedPackage(): Promise<Fixture> {
    const fixture = await finalizedPackage(hub, offices);
    await must(hub, `mutation ($input: PackageVersionInput!) { signCeremonyPackage(input: $input) { status } }`, { input: { ceremonyId: fixture.ceremonyId, version: fixture.version } }, offices.jiangsu);
    return fixture;
  }

  it('answers a HEAD with the headers a GET would have, and the same refusals, without rendering', async () => {
    const before = renderer.renders;
    const head = await headOf(hub, final.pdfPath, offices.shaanxi);
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toBe('application/pdf');
    expect(head.headers.get('cache-control')).toBe('private, no-store');
    expect(head.headers.get('content-length')).toBeNull();
    expect((await head.arrayBuffer()).byteLength).toBe(0);
    // To the public a package not yet signed does not exist, for a HEAD as for a GET.
    expect((await headOf(hub, final.pdfPath)).status).toBe(404);
    expect((await headOf(hub, '/ceremonies/no-such-ceremony/packages/1.pdf', offices.shaanxi)).status).toBe(404);
    expect(renderer.renders).toBe(before);
    // A GET of the same package does render.
    expect((await fetchPdf(hub, final.pdfPath, offices.shaanxi)).status).toBe(200);
    expect(renderer.renders).toBe(before + 1);
  });

  it('renders a package not yet signed for every GET: it is never kept', async () => {
    const before = renderer.renders;
    const first = await fetchPdf(hub, final.pdfPath, offices.shaanxi);
    const second = await fetchPdf(hub, final.pdfPath, offices.jiangsu);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(second.bytes.equals(first.bytes)).toBe(true);
    expect(renderer.renders).toBe(before + 2);
  });

  it('prints a signed package once and serves the next GETs (and concurrent ones, and a HEAD with its length) from the kept PDF', async () => {
    const signed = await signedPackage();
    const before = renderer.renders;
    const burst = await Promise.all(Array.from({ length: 4 }, () => fetchPdf(hub, signed.pdfPath)));
    for (const answer of burst) {
      expect(answer.status).toBe(200);
      expect(answer.bytes.equals(burst[0]!.bytes)).toBe(true);
    }
    expect(renderer.renders).toBe(before + 1);
    const again = await fetchPdf(hub, signed.pdfPath);
    expect(again.status).toBe(200);
    expect(again.headers.get('cache-control')).toMatch(/^public/);
    expect(again.bytes.equals(burst[0]!.bytes)).toBe(true);
    expect(flat((await readPdf(again.bytes)).text)).toContain(signed.contentHash);
    const head = await headOf(hub, signed.pdfPath);
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(again.bytes.length));
    expect(renderer.renders).toBe(before + 1);
  });

  it('prints a signed package anew once a name in it is corrected: the kept PDF is keyed by what the graph answers', async () => {
    const signed = await signedPackage();
    const first = await fetchPdf(hub, signed.pdfPath);
    expect(flat((await readPdf(first.bytes)).text)).toContain(JIANGSU_ORGANIZATIONS[0]);
    const before = renderer.renders;
    const organization = await must(hub, `query ($id: ID!) { jiangsuOrganization(id: $id) { version } }`, { id: signed.jiangsuIds[0] }, offices.jiangsu);
    const corrected = '常州市龙城慈善助学基金会（更正）';
    await must(
      hub,
      `mutation ($id: ID!, $expectedVersion: Int!, $input: UpdateJiangsuOrganizationInput!) { updateJiangsuOrganization(id: $id, expectedVersion: $expectedVersion, input: $input) { nameZh } }`,
      { id: signed.jiangsuIds[0], expectedVersion: organization.jiangsuOrganization.version, input: { nameZh: corrected } },
      offices.jiangsu,
    );
    const reprinted = await fetchPdf(hub, signed.pdfPath);
    expect(reprinted.status).toBe(200);
    expect(flat((await readPdf(reprinted.bytes)).text)).toContain(corrected);
    expect(renderer.renders).toBe(before + 1);
  });

  it('refuses a render past its line with 503 OVERLOADED and Retry-After, and prints those it let in', async () => {
    // 2 renders running and 8 waiting fill the line; the 11th is refused at once.
    renderer.hold();
    const before = renderer.renders;
    const requests = Array.from({ length: 11 }, () => fetchPdf(hub, final.pdfPath, offices.shaanxi));
    const first = await Promise.race(requests);
    expect(first.status).toBe(503);
    expect(first.headers.get('retry-after')).toBe('1');
    expect(first.json().error.code).toBe('OVERLOADED');
    // Only the two running were handed to the renderer; nothing has been printed yet.
    expect(renderer.renders).toBe(before + 2);
    renderer.release();
    const answers = await Promise.all(requests);
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(10);
    expect(answers.filter((answer) => answer.status === 503)).toHaveLength(1);
    expect(renderer.renders).toBe(before + 10);
    // The line is free again.
    expect((await fetchPdf(hub, final.pdfPath, offices.shaanxi)).status).toBe(200);
  });

  it('answers a print still waiting at its time limit 503 TIMEOUT, and never renders it', async () => {
    renderer.hold();
    const before = renderer.renders;
    const running = [fetchPdf(hub, final.pdfPath, offices.shaanxi), fetchPdf(hub, final.pdfPath, offices.jiangsu)];
    while (renderer.renders < before + 2) await new Promise((resolve) => setTimeout(resolve, 10));
    const late = await fetch(`${hub.origin}${final.pdfPath}`, { headers: { authorization: `Bearer ${offices.shaanxi}`, 'x-hub-timeout-ms': '500' } });
    expect(late.status).toBe(503);
    expect(late.headers.get('retry-after')).toBe('1');
    expect(((await late.json()) as any).error.code).toBe('TIMEOUT');
    renderer.release();
    for (const answer of await Promise.all(running)) expect(answer.status).toBe(200);
    // Dropped from the line at its deadline: the render it would have had never ran.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(renderer.renders).toBe(before + 2);
  });
});
