import { describe, expect, it } from 'vitest';
import { readPdf } from '@hub/testkit';
import type { PackageForPrint, PrintedLine } from './package-document.ts';
import { groupedYuan, renderPackagePdf } from './render.ts';

/**
 * The printed package holds what the offices take to the ceremony: read back from the PDF
 * with a text extractor, as a reader would copy it out.
 */

const ANKANG_COUNTIES: [code: string, nameZh: string][] = [
  ['610902', '汉滨区'],
  ['610921', '汉阴县'],
  ['610922', '石泉县'],
  ['610923', '宁陕县'],
  ['610924', '紫阳县'],
  ['610925', '岚皋县'],
  ['610926', '平利县'],
  ['610927', '镇坪县'],
  ['610928', '旬阳县'],
  ['610929', '白河县'],
];
const SHAANXI_SIGNATORIES = [
  '安康市汉滨区慈善协会',
  '汉阴县社会组织服务中心',
  '石泉县助学促进会',
  '宁陕县乡村振兴志愿者协会',
  '紫阳县富硒产业发展协会',
  '岚皋县残疾人福利基金会',
  '平利县女娲茶产业协会',
  '镇坪县中医药学会',
  '旬阳县留守儿童关爱协会',
  '白河县老年人协会',
];
const JIANGSU_ORGANIZATIONS = [
  '常州市慈善总会',
  '常州市红十字会',
  '常州市教育发展基金会',
  '常州市武进区慈善总会',
  '常州市青少年发展基金会',
  '常州市妇女儿童发展基金会',
  '常州市金坛区慈善基金会',
  '常州市溧阳市社会组织促进会',
  '常州市新北区公益服务中心',
  '常州市天宁区爱心助学会',
];

/**
 * 40 lines — more than one A4 page holds — alternating 100,000.00 and 250,000.50 yuan:
 * 20 × 100,000.00 + 20 × 250,000.50 = 2,000,000.00 + 5,000,010.00 = 7,000,010.00 yuan.
 */
const LINE_COUNT = 40;
const TOTAL_PRINTED = '7,000,010.00';

function fixtureLine(position: number, kind: 'ENTERED' | 'SYNTHETIC_DEMO' = 'ENTERED'): PrintedLine {
  const [code, nameZh] = ANKANG_COUNTIES[(position - 1) % ANKANG_COUNTIES.length]!;
  const index = (position - 1) % 10;
  return {
    position,
    amount: { yuan: position % 2 === 1 ? '100000.00' : '250000.50' },
    // Every fifth title is long enough to wrap in its cell.
    project: {
      id: `p-${position}`,
      titleZh: position % 5 === 0 ? `项目${position}号：${nameZh}留守儿童课后托管与营养午餐长期资助计划` : `项目${position}号：${nameZh}乡村学校图书室`,
      provenance: { kind },
    },
    county: { code, nameZh },
    shaanxiSignatory: { id: `sx-${index}`, nameZh: SHAANXI_SIGNATORIES[index]!, provenance: { kind } },
    jiangsuOrganization: { id: `js-${index}`, nameZh: JIANGSU_ORGANIZATIONS[index]!, provenance: { kind } },
  };
}

const HASH = '3f6c1a9e0b7d24c58e1f6a2b9c0d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d';

function fixturePackage(overrides: Partial<PackageForPrint> = {}): PackageForPrint {
  return {
    id: 'pkg-1',
    version: 3,
    status: 'FINAL',
    contentHash: HASH,
    finalizedAt: '2026-06-01T02:30:00.000Z',
    signedAt: null,
    total: { yuan: '7000010.00' },
    provenance: { kind: 'ENTERED' },
    ceremony: {
      id: '2026-06-18-ankang',
      titleZh: '2026年苏陕社会组织结对帮扶安康签约仪式',
      titleEn: 'Jiangsu–Shaanxi social organization pairing ceremony, Ankang 2026',
      heldOn: '2026-06-18',
      cityNameZh: '安康市',
      venue: '安康市民政局会议中心',
      hosts: [
        { id: 'sx-civil-affairs', nameZh: '陕西省民政厅' },
        { id: 'js-civil-affairs', nameZh: '江苏省民政厅' },
      ],
      provenance: { kind: 'ENTERED' },
    },
    lines: Array.from({ length: LINE_COUNT }, (_, index) => fixtureLine(index + 1)),
    checks: [
      { kind: 'NOT_EMPTY', line: null, passed: true, code: null },
      ...Array.from({ length: LINE_COUNT }, (_, index) => ({ kind: 'AMOUNT_WITHIN_NEED', line: index + 1, passed: true, code: null })),
      { kind: 'TOTAL_IS_SUM', line: null, passed: true, code: null },
    ],
    ...overrides,
  };
}

/** Text without the line breaks wrapping puts inside a cell. */
const flat = (text: string) => text.replace(/\n/g, '');

describe('the printed ceremony package', () => {
  it('holds the ceremony, every line with its signatories, the total, the checks, the version and the hash', async () => {
    const pdf = await readPdf(await renderPackagePdf(fixturePackage()));
    const text = flat(pdf.text);

    expect(text).toContain('2026年苏陕社会组织结对帮扶安康签约仪式');
    expect(text).toContain('2026年6月18日');
    expect(text).toContain('安康市民政局会议中心');
    expect(text).toContain('陕西省民政厅、江苏省民政厅');
    expect(text).toContain('第 3 版');
    expect(text).toContain('已定稿（FINAL）');
    for (const name of [...SHAANXI_SIGNATORIES, ...JIANGSU_ORGANIZATIONS]) expect(text).toContain(name);
    for (let position = 1; position <= LINE_COUNT; position++) expect(text).toContain(`项目${position}号：`);
    expect(text).toContain('项目5号：紫阳县留守儿童课后托管与营养午餐长期资助计划');
    for (const [, county] of ANKANG_COUNTIES) expect(text).toContain(county);
    expect(text).toContain('100,000.00');
    expect(text).toContain('250,000.50');
    expect(text).toContain(`合计金额：人民币 ${TOTAL_PRINTED} 元`);
    expect(text).toContain('NOT_EMPTY');
    expect(text).toContain('通过 PASSED（40/40 行）');
    expect(text).toContain('TOTAL_IS_SUM');
    expect(text).toContain(HASH);
    expect(text).not.toContain('演示');
  });

  it('breaks a long table across A4 pages, repeating its header, and numbers every page', async () => {
    const bytes = await renderPackagePdf(fixturePackage());
    const pdf = await readPdf(bytes);
    expect(pdf.pages.length).toBeGreaterThan(1);
    // A4 is 595.28 × 841.89 points.
    expect(bytes.toString('latin1')).toMatch(/\/MediaBox \[0 0 595\.28 841\.89\]/);
    pdf.pages.forEach((page, index) => {
      expect(flat(page)).toContain(`第 ${index + 1} 页 / 共 ${pdf.pages.length} 页`);
    });
    // Every page the table runs over starts with its header row.
    const tablePages = pdf.pages.filter((page) => /项目\d+号：/.test(page));
    expect(tablePages.length).toBeGreaterThan(1);
    for (const page of tablePages) expect(flat(page)).toMatch(/序号\s*项目\s*县（区）\s*陕西签约方\s*江苏签约组织\s*金额（元）/);
  });

  it('embeds only a subset of the Chinese font', async () => {
    const bytes = await renderPackagePdf(fixturePackage());
    const { fontNames } = await readPdf(bytes);
    expect(fontNames.length).toBeGreaterThan(0);
    // A subset's name starts with six capital letters and a plus (ISO 32000-1, 9.6.4).
    for (const name of fontNames) expect(name).toMatch(/^[A-Z]{6}\+NotoSansSC-(Regular|Bold)$/);
    // The whole font is over 10 MB; the glyphs of one package are a small part of it.
    expect(bytes.length).toBeLessThan(400_000);
  });

  it('marks synthetic demo data on every page and on the lines that hold it', async () => {
    const lines = fixturePackage().lines.map((line) => (line.position === 7 ? fixtureLine(7, 'SYNTHETIC_DEMO') : line));
    const pdf = await readPdf(await renderPackagePdf(fixturePackage({ lines })));
    for (const page of pdf.pages) expect(flat(page)).toContain('合成演示数据 · SYNTHETIC DEMO DATA');
    expect(flat(pdf.text)).toContain('不是真实的签约记录：第 7 行');
    expect(flat(pdf.text)).toContain('7 ※');

    const demoPackage = fixturePackage({
      provenance: { kind: 'SYNTHETIC_DEMO' },
      ceremony: { ...fixturePackage().ceremony, provenance: { kind: 'SYNTHETIC_DEMO' } },
      lines: Array.from({ length: LINE_COUNT }, (_, index) => fixtureLine(index + 1, 'SYNTHETIC_DEMO')),
    });
    expect(flat((await readPdf(await renderPackagePdf(demoPackage))).text)).toContain('不是真实的签约记录：签约包；签约仪式；全部 40 行');
  });

  it('prints a signed package with its signing time', async () => {
    const pdf = await readPdf(await renderPackagePdf(fixturePackage({ status: 'SIGNED', signedAt: '2026-06-18T01:05:00.000Z' })));
    expect(flat(pdf.text)).toContain('已签约（SIGNED）');
    // 01:05 UTC is 09:05 in Beijing.
    expect(flat(pdf.text)).toContain('签约时间：2026-06-18 09:05（北京时间）');
  });

  it('prints the same package to the same bytes', async () => {
    const first = await renderPackagePdf(fixturePackage());
    const second = await renderPackagePdf(fixturePackage());
    expect(second.equals(first)).toBe(true);
  });
});

describe('yuan in print', () => {
  it('groups thousands from the exact decimal string', () => {
    expect(groupedYuan('6500000.00')).toBe('6,500,000.00');
    expect(groupedYuan('999.50')).toBe('999.50');
    expect(groupedYuan('1000.00')).toBe('1,000.00');
    // Beyond 2^53 fen, where a float would round.
    expect(groupedYuan('90071992547409.93')).toBe('90,071,992,547,409.93');
  });
});
