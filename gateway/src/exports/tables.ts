import { FIELD_NAMES, type ProjectField, type ProvenanceKind } from '@hub/common';
import type { PipelineFilterInput } from './filter.ts';
import { fenOfYuan, yuanOfFen } from './money.ts';
import { PROVENANCE_NAMES, type FunnelTotals, type MoneyRead, type ProjectRow } from './records.ts';
import { fen, type Cell, type Column, type Table } from './spreadsheet.ts';

const money = (amount: MoneyRead | null): Cell => (amount ? fen(fenOfYuan(amount.yuan)) : null);
const yesNo = (value: boolean): string => (value ? '是 yes' : '否 no');

export const PIPELINE_COLUMNS: readonly Column[] = [
  { header: '项目编号 Project ID', kind: 'text', width: 38 },
  { header: '项目名称 Title', kind: 'text', width: 36 },
  { header: '英文名称 Title (English)', kind: 'text', width: 36 },
  { header: '领域 Field', kind: 'text', width: 14 },
  { header: '领域代码 Field code', kind: 'text' },
  { header: '阶段 Stage', kind: 'text', width: 14 },
  { header: 'IATI 活动状态 IATI activity status', kind: 'number' },
  { header: '县代码 County code', kind: 'text', width: 10 },
  { header: '县 County', kind: 'text', width: 12 },
  { header: '地市 Prefecture', kind: 'text', width: 12 },
  { header: '陕西申报组织 Raised by', kind: 'text', width: 30 },
  { header: '匹配江苏组织 Matched with', kind: 'text', width: 30 },
  { header: '签约仪式 Ceremony', kind: 'text', width: 36 },
  { header: '签约仪式日期 Ceremony date', kind: 'text', width: 12 },
  { header: '需求金额（元） Amount sought (yuan)', kind: 'yuan' },
  { header: '认捐（元） Pledged (yuan)', kind: 'yuan' },
  { header: '承诺（元） Committed (yuan)', kind: 'yuan' },
  { header: '拨付（元） Disbursed (yuan)', kind: 'yuan' },
  { header: '陕西收到（元） Received (yuan)', kind: 'yuan' },
  { header: '陕西支出（元） Spent (yuan)', kind: 'yuan' },
  { header: '资金缺口（元） Funding gap (yuan)', kind: 'yuan' },
  { header: '两地账目一致 Books agree', kind: 'text', width: 10 },
  { header: '账目差额（元） Books differ by (yuan)', kind: 'yuan' },
  { header: '发布时间 Published at', kind: 'text' },
  { header: '最近变更时间 Last moved at', kind: 'text' },
  { header: '变更角色 Moved by role', kind: 'text' },
  { header: '变更人 Moved by', kind: 'text' },
  { header: '数据来源 Provenance', kind: 'text', width: 16 },
];

/** One project as a row of the pipeline table: what the pipeline page shows the caller. */
export function pipelineRow(project: ProjectRow): Cell[] {
  const lastMove = project.history.at(-1);
  return [
    project.id,
    project.titleZh,
    project.titleEn,
    FIELD_NAMES[project.field].zh,
    project.field,
    project.stage,
    project.iatiActivityStatus,
    project.county.code,
    project.county.nameZh,
    project.county.prefecture.nameZh,
    project.raisedBy?.nameZh ?? null,
    project.matchedOrganization?.nameZh ?? null,
    project.ceremony?.titleZh ?? null,
    project.ceremony?.heldOn ?? null,
    money(project.amountSought),
    money(project.pledged),
    money(project.committed),
    money(project.disbursed),
    money(project.received),
    money(project.spent),
    money(project.fundingGap),
    yesNo(project.reconciliation.balanced),
    money(project.reconciliation.difference),
    project.publishedAt,
    lastMove?.at ?? null,
    lastMove?.actorRole ?? null,
    // Who moved it is shown to the two offices only; the graph gives null to everyone else.
    lastMove?.actor ?? null,
    project.provenance.kind,
  ];
}

/** The pipeline table's second sheet: the filter, what the records are, and the graph's totals for the filter. */
export function pipelineAbout(filter: PipelineFilterInput, totals: FunnelTotals[], generatedAt: Date): [string, string][] {
  const sum = (pick: (stage: FunnelTotals) => MoneyRead) => {
    let total = 0n;
    for (const stage of totals) total += fenOfYuan(pick(stage).yuan);
    return total;
  };
  const yuan = yuanOfFen;
  return [
    ['表 Table', '签约项目流程 Signed-project pipeline'],
    ['生成时间 Generated at', generatedAt.toISOString()],
    ['筛选 Filter', JSON.stringify(filter)],
    ...provenanceLines(filter.provenance),
    ['项目数（图谱） Projects (graph)', String(totals.reduce((count, stage) => count + stage.projectCount, 0))],
    ['需求金额合计（元，图谱） Amount sought, total (yuan, graph)', yuan(sum((stage) => stage.amountSought))],
    ['认捐合计（元） Pledged, total (yuan)', yuan(sum((stage) => stage.pledged))],
    ['承诺合计（元） Committed, total (yuan)', yuan(sum((stage) => stage.committed))],
    ['拨付合计（元） Disbursed, total (yuan)', yuan(sum((stage) => stage.disbursed))],
    ['陕西收到合计（元） Received, total (yuan)', yuan(sum((stage) => stage.received))],
    ['陕西支出合计（元） Spent, total (yuan)', yuan(sum((stage) => stage.spent))],
  ];
}

export function provenanceLines(kinds: readonly ProvenanceKind[]): [string, string][] {
  const lines: [string, string][] = [['数据种类 Kinds of record', kinds.map((kind) => `${kind}（${PROVENANCE_NAMES[kind].zh}）`).join('，')]];
  if (kinds.includes('SYNTHETIC_DEMO')) {
    lines.push(['注意 Note', '含合成演示数据：数据来源为 SYNTHETIC_DEMO 的行并非真实项目。 Includes synthetic demo data: rows whose provenance is SYNTHETIC_DEMO are not real.']);
  }
  return lines;
}

/** A package as PACKAGE_LINES reads it. */
export interface PackageRead {
  id: string;
  version: number;
  status: string;
  contentHash: string | null;
  finalizedAt: string | null;
  signedAt: string | null;
  total: MoneyRead;
  statedTotal: MoneyRead;
  provenance: { kind: ProvenanceKind };
  ceremony: { id: string; titleZh: string; heldOn: string; cityNameZh: string; provenance: { kind: ProvenanceKind } };
  lines: {
    position: number;
    amount: MoneyRead;
    project: { id: string; titleZh: string; stage: string | null; provenance: { kind: ProvenanceKind } };
    county: { code: string; nameZh: string; prefecture: { nameZh: string } };
    shaanxiSignatory: { id: string; nameZh: string; provenance: { kind: ProvenanceKind } };
    jiangsuOrganization: { id: string; nameZh: string; provenance: { kind: ProvenanceKind } };
  }[];
}

export function packageTable(pkg: PackageRead, generatedAt: Date): Table {
  const rows = pkg.lines.map<Cell[]>((line) => [
    line.position,
    line.project.id,
    line.project.titleZh,
    line.project.stage,
    line.county.code,
    line.county.nameZh,
    line.county.prefecture.nameZh,
    line.shaanxiSignatory.nameZh,
    line.jiangsuOrganization.nameZh,
    money(line.amount),
    line.project.provenance.kind,
  ]);
  return {
    sheetName: '签约清单 Package',
    columns: [
      { header: '序号 Line', kind: 'number', width: 8 },
      { header: '项目编号 Project ID', kind: 'text', width: 38 },
      { header: '项目名称 Project', kind: 'text', width: 36 },
      { header: '阶段 Stage', kind: 'text', width: 14 },
      { header: '县代码 County code', kind: 'text', width: 10 },
      { header: '县 County', kind: 'text', width: 12 },
      { header: '地市 Prefecture', kind: 'text', width: 12 },
      { header: '陕西签约方 Shaanxi signatory', kind: 'text', width: 30 },
      { header: '江苏组织 Jiangsu organization', kind: 'text', width: 30 },
      { header: '金额（元） Amount (yuan)', kind: 'yuan' },
      { header: '数据来源 Provenance', kind: 'text', width: 16 },
    ],
    rows: (async function* () {
      yield rows;
    })(),
    about: [
      ['表 Table', '签约仪式清单 Ceremony package'],
      ['签约仪式 Ceremony', `${pkg.ceremony.titleZh}（${pkg.ceremony.heldOn}，${pkg.ceremony.cityNameZh}）`],
      ['版本 Version', String(pkg.version)],
      ['状态 Status', pkg.status],
      ['合计（元，图谱） Total (yuan, graph)', pkg.total.yuan],
      ['申报合计（元） Stated total (yuan)', pkg.statedTotal.yuan],
      ['内容哈希 Content hash (SHA-256)', pkg.contentHash ?? ''],
      ['定稿时间 Finalized at', pkg.finalizedAt ?? ''],
      ['签约时间 Signed at', pkg.signedAt ?? ''],
      ...provenanceLines([pkg.provenance.kind]),
      ['生成时间 Generated at', generatedAt.toISOString()],
    ],
  };
}

interface CountRead {
  target: number | null;
  actual: number;
  itemized: number;
  declared: number;
  shareReached: number | null;
}

interface MoneyProgressRead {
  target: MoneyRead | null;
  actual: MoneyRead;
  itemized: MoneyRead;
  declared: MoneyRead;
  shareReached: number | null;
}

interface PeriodRead {
  year: number | null;
  projectsSigned: CountRead;
  committed: MoneyProgressRead;
  disbursed: MoneyProgressRead;
  countiesReached: CountRead;
  shaanxiOrganizations: CountRead;
  jiangsuOrganizations: CountRead;
}

interface FiguresRead {
  projectsSigned: number;
  committed: MoneyRead;
  disbursed: MoneyRead;
}

/** An agreement as AGREEMENT_PROGRESS reads it. */
export interface AgreementRead {
  id: string;
  titleZh: string;
  termYearList: number[];
  provenance: { kind: ProvenanceKind };
  tracking: {
    term: PeriodRead;
    years: PeriodRead[];
    breakdowns: {
      byPrefecture: { prefecture: { code: string; nameZh: string }; figures: FiguresRead }[];
      byCounty: { county: { code: string; nameZh: string }; figures: FiguresRead }[];
      byField: { field: ProjectField; figures: FiguresRead }[];
      byOrganization: { organization: { id: string; nameZh: string }; figures: FiguresRead }[];
      byFocus: { focus: { position: number; titleZh: string } | null; figures: FiguresRead }[];
    };
  };
}

const MEASURES = [
  { key: 'projectsSigned', name: '签约项目 Projects signed', unit: '个 projects' },
  { key: 'committed', name: '承诺资金 Committed', unit: '元 yuan' },
  { key: 'disbursed', name: '拨付资金 Disbursed', unit: '元 yuan' },
  { key: 'countiesReached', name: '覆盖县 Counties reached', unit: '个 counties' },
  { key: 'shaanxiOrganizations', name: '陕西社会组织 Shaanxi organizations', unit: '家 organizations' },
  { key: 'jiangsuOrganizations', name: '江苏社会组织 Jiangsu organizations', unit: '家 organizations' },
] as const;

/**
 * An agreement's progress as one long table: for the term and each year, every measure
 * against its target; then the term's breakdowns (by prefecture, county, field, Jiangsu
 * organization and focus of the agreement), which hold itemized records only.
 */
export function progressTable(agreement: AgreementRead, generatedAt: Date): Table {
  const rows: Cell[][] = [];
  const { tracking } = agreement;
  for (const period of [tracking.term, ...tracking.years]) {
    const periodName = period.year === null ? '全期 Term' : String(period.year);
    for (const measure of MEASURES) {
      const figure = period[measure.key];
      const value = (amount: number | MoneyRead | null): Cell => (amount === null || typeof amount === 'number' ? amount : money(amount));
      rows.push([
        periodName,
        '合计 Total',
        null,
        null,
        measure.name,
        measure.unit,
        value(figure.target),
        value(figure.actual),
        value(figure.itemized),
        value(figure.declared),
        figure.shareReached,
      ]);
    }
  }
  const breakdown = (kind: string, code: string | null, name: string, figures: FiguresRead) => {
    const base = ['全期 Term', kind, code, name] as Cell[];
    rows.push([...base, MEASURES[0].name, MEASURES[0].unit, null, figures.projectsSigned, figures.projectsSigned, null, null]);
    rows.push([...base, MEASURES[1].name, MEASURES[1].unit, null, money(figures.committed), money(figures.committed), null, null]);
    rows.push([...base, MEASURES[2].name, MEASURES[2].unit, null, money(figures.disbursed), money(figures.disbursed), null, null]);
  };
  const { breakdowns } = tracking;
  for (const item of breakdowns.byPrefecture) breakdown('地市 Prefecture', item.prefecture.code, item.prefecture.nameZh, item.figures);
  for (const item of breakdowns.byCounty) breakdown('县 County', item.county.code, item.county.nameZh, item.figures);
  for (const item of breakdowns.byField) breakdown('领域 Field', item.field, FIELD_NAMES[item.field].zh, item.figures);
  for (const item of breakdowns.byOrganization) breakdown('江苏组织 Jiangsu organization', item.organization.id, item.organization.nameZh, item.figures);
  for (const item of breakdowns.byFocus) {
    breakdown('协议重点 Focus', item.focus ? String(item.focus.position) : null, item.focus?.titleZh ?? '未指明 None named', item.figures);
  }
  return {
    sheetName: '协议进度 Progress',
    columns: [
      { header: '期间 Period', kind: 'text', width: 10 },
      { header: '分项 Breakdown', kind: 'text', width: 16 },
      { header: '代码 Code', kind: 'text', width: 14 },
      { header: '名称 Name', kind: 'text', width: 30 },
      { header: '指标 Measure', kind: 'text', width: 30 },
      { header: '单位 Unit', kind: 'text', width: 14 },
      { header: '目标 Target', kind: 'number' },
      { header: '实际 Actual', kind: 'number' },
      { header: '逐项 Itemized', kind: 'number' },
      { header: '申报 Declared', kind: 'number' },
      { header: '完成率 Share reached', kind: 'number' },
    ],
    rows: (async function* () {
      yield rows;
    })(),
    about: [
      ['表 Table', '结对帮扶协议进度 Agreement progress'],
      ['协议 Agreement', `${agreement.titleZh}（${agreement.id}）`],
      ['协议期 Term', `${agreement.termYearList[0] ?? ''}–${agreement.termYearList.at(-1) ?? ''}`],
      ...provenanceLines([agreement.provenance.kind]),
      ['说明 How it counts', '实际 = 逐项 + 申报；分项只含逐项记录。 Actual = itemized + declared; breakdowns hold itemized records only.'],
      ['生成时间 Generated at', generatedAt.toISOString()],
    ],
  };
}
