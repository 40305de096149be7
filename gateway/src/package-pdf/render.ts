import PDFDocument from 'pdfkit';
import { parsedFont } from './fonts.ts';
import type { PackageForPrint, PackageStatus, PrintedCheck, PrintedLine } from './package-document.ts';

/** A4 in points, with room above the content for the demo banner and below it for the footer. */
const PAGE = { width: 595.28, height: 841.89 } as const;
const MARGIN = { top: 56, bottom: 60, left: 40, right: 40 } as const;
const CONTENT_WIDTH = PAGE.width - MARGIN.left - MARGIN.right;
/** Where content stops on every page: a little above pdfkit's own bottom, so it never adds a page itself. */
const CONTENT_BOTTOM = PAGE.height - MARGIN.bottom - 2;
const CELL_PADDING = 4;

const COLOR = { text: '#111111', muted: '#555555', rule: '#999999', headerFill: '#e8e8e8', demo: '#b00020', demoFill: '#fde7ea' };

const STATUS_ZH: Record<PackageStatus, string> = {
  DRAFT: '草稿',
  FINAL: '已定稿',
  SIGNING: '签约中',
  SIGNED: '已签约',
  SUPERSEDED: '已被新版本取代',
};

/** The checks in the order the contract lists them, each with how an office reads it. */
const CHECK_LABELS: [kind: string, label: string][] = [
  ['NOT_EMPTY', '签约包至少有一行'],
  ['SCHEDULED_AND_MATCHED', '项目已排入本次仪式，并已与该行的江苏组织对接'],
  ['ONE_PACKAGE_PER_PROJECT', '每个项目只在一行、一个签约包中'],
  ['PAIRING_ALLOWED', '江苏组织所在市与县区所在市结对，或有办公室记录的例外'],
  ['AMOUNT_WITHIN_NEED', '金额大于零且不超过项目所需'],
  ['TOTAL_IS_SUM', '申报合计等于各行金额之和'],
];

interface Column {
  title: string;
  width: number;
  align: 'left' | 'center' | 'right';
  cell(line: PrintedLine, demo: boolean): string;
}

const LINE_COLUMNS: Column[] = [
  { title: '序号', width: 32, align: 'center', cell: (line, demo) => `${line.position}${demo ? ' ※' : ''}` },
  { title: '项目', width: 140, align: 'left', cell: (line) => line.project.titleZh },
  { title: '县（区）', width: 50, align: 'left', cell: (line) => line.county.nameZh },
  { title: '陕西签约方', width: 110, align: 'left', cell: (line) => line.shaanxiSignatory.nameZh },
  { title: '江苏签约组织', width: 110, align: 'left', cell: (line) => line.jiangsuOrganization.nameZh },
  { title: '金额（元）', width: CONTENT_WIDTH - 32 - 140 - 50 - 110 - 110, align: 'right', cell: (line) => groupedYuan(line.amount.yuan) },
];

/**
 * The printable signing-ceremony package: the ceremony, the package's version and status, its
 * lines with the signatories' Chinese names, the total, the checks it passed and its content
 * hash, on A4 pages numbered in the footer. Synthetic demo data is marked on every page, and
 * the lines holding it are marked in the table, so a printout cannot pass for a real record.
 *
 * The output depends on the package alone (the document's date is the package's), so the same
 * package prints to the same bytes.
 */
export async function renderPackagePdf(pkg: PackageForPrint): Promise<Buffer> {
  const demoParts = syntheticParts(pkg);
  const doc = new PDFDocument({
    size: 'A4',
    margins: MARGIN,
    bufferPages: true,
    lang: 'zh-CN',
    displayTitle: true,
    info: {
      Title: `${pkg.ceremony.titleZh} · 签约包第 ${pkg.version} 版`,
      Subject: `Signing-ceremony package ${pkg.ceremony.id} v${pkg.version}${pkg.contentHash ? `, sha256 ${pkg.contentHash}` : ''}`,
      Creator: 'su-shaan-hub',
      CreationDate: new Date(pkg.signedAt ?? pkg.finalizedAt ?? 0),
    },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const finished = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  // pdfkit's types know only a file or its bytes; it embeds an opened fontkit font as well.
  doc.registerFont('regular', parsedFont('regular') as unknown as Buffer);
  doc.registerFont('bold', parsedFont('bold') as unknown as Buffer);

  const page = new PageFlow(doc);
  writeHeading(page, pkg, demoParts);
  writeLines(page, pkg);
  writeChecks(page, pkg.checks, pkg.lines.length);
  writeHash(page, pkg.contentHash);
  finishPages(doc, pkg, demoParts.length > 0);
  doc.end();
  return finished;
}

/** Keeps the writing position and starts a new page when what comes next would not fit. */
class PageFlow {
  y: number = MARGIN.top;
  /** Drawn again at the top of each page this starts (a table's header row). */
  private repeat: (() => void) | undefined;

  constructor(readonly doc: PDFKit.PDFDocument) {}

  /** Ensures `height` points fit below the current position, or continues on a new page. */
  reserve(height: number): void {
    if (this.y + height <= CONTENT_BOTTOM) return;
    this.doc.addPage();
    this.y = MARGIN.top;
    this.repeat?.();
  }

  repeatOnEachPage(draw: (() => void) | undefined): void {
    this.repeat = draw;
  }

  /** Writes a paragraph across the content width and moves below it. */
  paragraph(text: string, options: { font?: 'regular' | 'bold'; size?: number; color?: string; gap?: number } = {}): void {
    const { doc } = this;
    doc.font(options.font ?? 'regular').fontSize(options.size ?? 10).fillColor(options.color ?? COLOR.text);
    const height = doc.heightOfString(text, { width: CONTENT_WIDTH });
    this.reserve(height);
    doc.text(text, MARGIN.left, this.y, { width: CONTENT_WIDTH });
    this.y += height + (options.gap ?? 4);
  }
}

function writeHeading(page: PageFlow, pkg: PackageForPrint, demoParts: string[]): void {
  const { ceremony } = pkg;
  page.paragraph(ceremony.titleZh, { font: 'bold', size: 18, gap: 2 });
  if (ceremony.titleEn) page.paragraph(ceremony.titleEn, { size: 9, color: COLOR.muted });
  page.y += 4;
  page.paragraph(`签约包 · 第 ${pkg.version} 版 · ${STATUS_ZH[pkg.status]}（${pkg.status}）`, { font: 'bold', size: 13, gap: 8 });

  const hosts = ceremony.hosts.map((host) => host.nameZh ?? host.id).join('、');
  const facts: [string, string][] = [
    ['日期', dateZh(ceremony.heldOn)],
    ['城市', ceremony.cityNameZh],
    ['地点', ceremony.venue ?? '记录未载明'],
    ['主办', hosts || '记录未载明'],
    ['仪式编号', ceremony.id],
  ];
  if (pkg.finalizedAt) facts.push(['定稿时间', dateTimeZh(pkg.finalizedAt)]);
  if (pkg.signedAt) facts.push(['签约时间', dateTimeZh(pkg.signedAt)]);
  for (const [label, value] of facts) page.paragraph(`${label}：${value}`, { size: 10, gap: 3 });
  page.y += 6;

  if (demoParts.length > 0) {
    page.paragraph(
      `本签约包含合成演示数据（SYNTHETIC_DEMO），不是真实的签约记录：${demoParts.join('；')}。表中标 ※ 的行含演示数据。`,
      { font: 'bold', size: 10, color: COLOR.demo, gap: 8 },
    );
  }
}

function writeLines(page: PageFlow, pkg: PackageForPrint): void {
  const { doc } = page;
  page.paragraph(`签约明细（${pkg.lines.length} 项）`, { font: 'bold', size: 12, gap: 6 });
  const header = () => {
    const cells = LINE_COLUMNS.map((column) => ({ text: column.title, width: column.width, align: column.align }));
    page.y = drawRow(doc, page.y, cells, { font: 'bold', fill: COLOR.headerFill });
  };
  page.reserve(rowHeight(doc, LINE_COLUMNS.map((c) => ({ text: c.title, width: c.width })), 'bold') * 2);
  header();
  page.repeatOnEachPage(header);
  for (const line of pkg.lines) {
    const demo = isSyntheticLine(line);
    const cells = LINE_COLUMNS.map((column) => ({ text: column.cell(line, demo), width: column.width, align: column.align }));
    page.reserve(rowHeight(doc, cells, 'regular'));
    page.y = drawRow(doc, page.y, cells, { font: 'regular', ...(demo ? { fill: COLOR.demoFill } : {}) });
  }
  const amountWidth = LINE_COLUMNS.at(-1)!.width;
  const totalCells = [
    { text: `合计（${pkg.lines.length} 项）`, width: CONTENT_WIDTH - amountWidth, align: 'right' as const },
    { text: groupedYuan(pkg.total.yuan), width: amountWidth, align: 'right' as const },
  ];
  page.reserve(rowHeight(doc, totalCells, 'bold'));
  page.y = drawRow(doc, page.y, totalCells, { font: 'bold', fill: COLOR.headerFill });
  page.repeatOnEachPage(undefined);
  page.y += 6;
  page.paragraph(`合计金额：人民币 ${groupedYuan(pkg.total.yuan)} 元`, { font: 'bold', size: 11, gap: 12 });
}

function writeChecks(page: PageFlow, checks: PrintedCheck[], lineCount: number): void {
  const { doc } = page;
  page.paragraph('定稿核验', { font: 'bold', size: 12, gap: 6 });
  const widths = [CONTENT_WIDTH - 150, 150];
  const header = () => {
    page.y = drawRow(doc, page.y, [
      { text: '核验项', width: widths[0]! },
      { text: '结果', width: widths[1]! },
    ], { font: 'bold', fill: COLOR.headerFill });
  };
  page.reserve(40);
  header();
  page.repeatOnEachPage(header);
  const known = new Set(CHECK_LABELS.map(([kind]) => kind));
  const kinds = [...CHECK_LABELS, ...[...new Set(checks.map((check) => check.kind))].filter((kind) => !known.has(kind)).map((kind) => [kind, kind] as [string, string])];
  for (const [kind, label] of kinds) {
    const ofKind = checks.filter((check) => check.kind === kind);
    if (ofKind.length === 0) continue;
    const cells = [
      { text: `${label}\n${kind}`, width: widths[0]! },
      { text: checkResult(ofKind, lineCount), width: widths[1]! },
    ];
    page.reserve(rowHeight(doc, cells, 'regular'));
    page.y = drawRow(doc, page.y, cells, { font: 'regular' });
  }
  page.repeatOnEachPage(undefined);
  page.y += 12;
}

/** A kind's checks in a few words: passed on every line (or the whole package), or which lines failed and why. */
function checkResult(checks: PrintedCheck[], lineCount: number): string {
  const failed = checks.filter((check) => !check.passed);
  const lineChecks = checks.filter((check) => check.line !== null);
  if (failed.length === 0) {
    return lineChecks.length > 0 ? `通过 PASSED（${lineChecks.length}/${lineCount} 行）` : '通过 PASSED';
  }
  const reasons = failed.map((check) => `${check.line === null ? '全包' : `第 ${check.line} 行`} ${check.code ?? ''}`.trim());
  return `未通过 FAILED：${reasons.join('；')}`;
}

function writeHash(page: PageFlow, contentHash: string | null): void {
  page.paragraph('内容哈希（SHA-256，定稿时计算，覆盖仪式、版本、各行与合计）', { font: 'bold', size: 11, gap: 4 });
  page.paragraph(contentHash ?? '（尚未定稿，无哈希）', { size: 9.5, gap: 4 });
}

/** Every page: the footer with the package's name and page numbers, and the demo banner where it applies. */
function finishPages(doc: PDFKit.PDFDocument, pkg: PackageForPrint, synthetic: boolean): void {
  const { start, count } = doc.bufferedPageRange();
  const hashHead = pkg.contentHash ? ` · SHA-256 ${pkg.contentHash.slice(0, 12)}…` : '';
  for (let index = start; index < start + count; index++) {
    doc.switchToPage(index);
    // Writing in the margins must not make pdfkit start another page.
    const margins = doc.page.margins;
    doc.page.margins = { top: 0, bottom: 0, left: 0, right: 0 };
    const footerY = PAGE.height - MARGIN.bottom + 22;
    doc.moveTo(MARGIN.left, footerY - 6).lineTo(PAGE.width - MARGIN.right, footerY - 6).lineWidth(0.5).strokeColor(COLOR.rule).stroke();
    doc.font('regular').fontSize(8).fillColor(COLOR.muted);
    doc.text(`${pkg.ceremony.id} · 签约包第 ${pkg.version} 版${hashHead}`, MARGIN.left, footerY, { width: CONTENT_WIDTH * 0.75, lineBreak: false });
    doc.text(`第 ${index - start + 1} 页 / 共 ${count} 页`, MARGIN.left, footerY, { width: CONTENT_WIDTH, align: 'right', lineBreak: false });
    if (synthetic) {
      doc.rect(MARGIN.left, 16, CONTENT_WIDTH, 22).fill(COLOR.demoFill);
      doc.font('bold').fontSize(10).fillColor(COLOR.demo);
      doc.text('合成演示数据 · SYNTHETIC DEMO DATA · 非真实签约记录', MARGIN.left, 22, { width: CONTENT_WIDTH, align: 'center', lineBreak: false });
    }
    doc.page.margins = margins;
  }
}

interface Cell {
  text: string;
  width: number;
  align?: 'left' | 'center' | 'right';
}

const TABLE_FONT_SIZE = 9;

function rowHeight(doc: PDFKit.PDFDocument, cells: Cell[], font: 'regular' | 'bold'): number {
  doc.font(font).fontSize(TABLE_FONT_SIZE);
  return Math.max(...cells.map((cell) => doc.heightOfString(cell.text, { width: cell.width - 2 * CELL_PADDING }))) + 2 * CELL_PADDING;
}

/** Draws one table row from the left margin at `y` and returns the y below it. */
function drawRow(doc: PDFKit.PDFDocument, y: number, cells: Cell[], style: { font: 'regular' | 'bold'; fill?: string }): number {
  const height = rowHeight(doc, cells, style.font);
  const width = cells.reduce((sum, cell) => sum + cell.width, 0);
  if (style.fill) doc.rect(MARGIN.left, y, width, height).fill(style.fill);
  let x = MARGIN.left;
  doc.font(style.font).fontSize(TABLE_FONT_SIZE).fillColor(COLOR.text);
  for (const cell of cells) {
    doc.text(cell.text, x + CELL_PADDING, y + CELL_PADDING, { width: cell.width - 2 * CELL_PADDING, align: cell.align ?? 'left' });
    x += cell.width;
  }
  doc.lineWidth(0.5).strokeColor(COLOR.rule);
  doc.rect(MARGIN.left, y, width, height).stroke();
  x = MARGIN.left;
  for (const cell of cells.slice(0, -1)) {
    x += cell.width;
    doc.moveTo(x, y).lineTo(x, y + height).stroke();
  }
  return y + height;
}

/** Which parts of the package are synthetic demo records, in words, for the notice under the title. */
function syntheticParts(pkg: PackageForPrint): string[] {
  const parts: string[] = [];
  if (pkg.provenance.kind === 'SYNTHETIC_DEMO') parts.push('签约包');
  if (pkg.ceremony.provenance.kind === 'SYNTHETIC_DEMO') parts.push('签约仪式');
  const lines = pkg.lines.filter(isSyntheticLine).map((line) => line.position);
  // Named one by one while the list stays short; the ※ in the table marks each line anyway.
  if (lines.length > 0 && lines.length === pkg.lines.length) parts.push(`全部 ${lines.length} 行`);
  else if (lines.length > 10) parts.push(`${lines.length} 行`);
  else if (lines.length > 0) parts.push(`第 ${lines.join('、')} 行`);
  return parts;
}

function isSyntheticLine(line: PrintedLine): boolean {
  return [line.project, line.shaanxiSignatory, line.jiangsuOrganization].some((record) => record.provenance.kind === 'SYNTHETIC_DEMO');
}

/** "6500000.00" → "6,500,000.00": grouped from the exact decimal string, never through a float. */
export function groupedYuan(yuan: string): string {
  const match = /^(-?)(\d+)(\.\d+)?$/.exec(yuan);
  if (!match) return yuan;
  const [, sign, whole, fraction] = match;
  return `${sign}${whole!.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}${fraction ?? ''}`;
}

/** "2017-12-28" → "2017年12月28日". */
function dateZh(date: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  return match ? `${match[1]}年${Number(match[2])}月${Number(match[3])}日` : date;
}

/** An instant in China Standard Time (UTC+8, no daylight saving), to the minute. */
function dateTimeZh(instant: string): string {
  const at = new Date(instant);
  if (Number.isNaN(at.getTime())) return instant;
  const beijing = new Date(at.getTime() + 8 * 60 * 60 * 1000).toISOString();
  return `${beijing.slice(0, 10)} ${beijing.slice(11, 16)}（北京时间）`;
}
