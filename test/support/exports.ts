import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { create } from 'xmlbuilder2';
import type { TestHub } from '@hub/testkit';

/** What a download answered. */
export interface Downloaded {
  status: number;
  headers: Headers;
  body: Buffer;
  text: string;
}

/** GETs a path of the hub with the caller's token (none: the public). */
export async function download(hub: TestHub, path: string, token?: string, method: 'GET' | 'HEAD' = 'GET'): Promise<Downloaded> {
  const response = await fetch(hub.origin + path, { method, headers: token ? { authorization: `Bearer ${token}` } : {} });
  const body = Buffer.from(await response.arrayBuffer());
  return { status: response.status, headers: response.headers, body, text: body.toString('utf8') };
}

/**
 * Exact fen of a decimal amount of yuan as a file writes it ("6500000.00", or as a JSON number
 * "6500000", "0.5"), worked out here with integers, apart from the code under test.
 */
export function fenOf(decimal: string): bigint {
  const match = /^(\d+)(?:\.(\d{1,2}))?$/.exec(decimal.trim());
  if (!match) throw new Error(`"${decimal}" is not an amount of yuan`);
  return BigInt(match[1]!) * 100n + BigInt((match[2] ?? '').padEnd(2, '0'));
}

export const sum = (amounts: Iterable<bigint>): bigint => {
  let total = 0n;
  for (const amount of amounts) total += amount;
  return total;
};

/** The rows of a CSV download as objects by header, after checking its byte-order mark. */
export function csvRows(file: Downloaded): Record<string, string>[] {
  if (!file.text.startsWith('\uFEFF')) throw new Error('the CSV has no UTF-8 byte-order mark');
  return parse(file.text.slice(1), { columns: true, skip_empty_lines: true }) as Record<string, string>[];
}

/**
 * The rows of an XLSX download's first sheet as objects by header: an amount cell is a number
 * whose printed digits are the exact yuan, read here as text.
 */
export async function xlsxRows(file: Downloaded): Promise<{ rows: Record<string, string>[]; about: Record<string, string> }> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(file.body as unknown as ArrayBuffer);
  const [sheet, aboutSheet] = workbook.worksheets;
  const table = (worksheet: ExcelJS.Worksheet) => {
    const headers: string[] = [];
    const rows: Record<string, string>[] = [];
    worksheet.eachRow((row, number) => {
      const values = (row.values as unknown[]).slice(1).map((value) => (value === null || value === undefined ? '' : String(value)));
      if (number === 1) headers.push(...values);
      else rows.push(Object.fromEntries(headers.map((header, index) => [header, values[index] ?? ''])));
    });
    return rows;
  };
  const about = Object.fromEntries(table(aboutSheet!).map((row) => [row['项目 Item']!, row['内容 Value']!]));
  return { rows: table(sheet!), about };
}

/** What the tests read of an element of xmlbuilder2's DOM (the W3C DOM's own names). */
export interface Element {
  getAttribute(name: string): string | null;
  textContent: string | null;
  getElementsByTagName(name: string): ArrayLike<Element>;
}

/** The IATI file's activities, as DOM elements to read with `getElementsByTagName`. */
export function iatiActivities(xml: string): Element[] {
  const document = create(xml).node as unknown as Element;
  return Array.from(document.getElementsByTagName('iati-activity'));
}

/** The elements named `name` anywhere below `element`. */
export function childrenNamed(element: Element, name: string): Element[] {
  return Array.from(element.getElementsByTagName(name));
}

/** The sums of the file's transaction values by IATI transaction type, and of its budgets. */
export function iatiSums(activities: Element[]): { byType: Record<string, bigint>; budgets: bigint } {
  const byType: Record<string, bigint> = {};
  let budgets = 0n;
  for (const activity of activities) {
    for (const transaction of childrenNamed(activity, 'transaction')) {
      const type = childrenNamed(transaction, 'transaction-type')[0]!.getAttribute('code')!;
      const value = childrenNamed(transaction, 'value')[0]!.textContent!;
      byType[type] = (byType[type] ?? 0n) + fenOf(value);
    }
    for (const budget of childrenNamed(activity, 'budget')) budgets += fenOf(childrenNamed(budget, 'value')[0]!.textContent!);
  }
  return { byType, budgets };
}

/** The amounts a 360Giving package writes under `field`, read from its text (JSON numbers, never parsed as floats). */
export function jsonAmounts(text: string, field: 'amountAwarded' | 'amountDisbursed'): bigint[] {
  return [...text.matchAll(new RegExp(`"${field}":(\\d+(?:\\.\\d{1,2})?)[,}]`, 'g'))].map((match) => fenOf(match[1]!));
}

/** The graph's own totals for a pipeline filter: the funnel's stages summed, by measure. */
export async function funnelTotals(hub: TestHub, filter: Record<string, unknown>, token?: string) {
  const result = await hub.query<{ funnel: { projectCount: number; amountSought: { yuan: string }; pledged: { yuan: string }; committed: { yuan: string }; disbursed: { yuan: string }; received: { yuan: string }; spent: { yuan: string } }[] }>(
    `query ($filter: PipelineFilter) { funnel(filter: $filter) { projectCount amountSought { yuan } pledged { yuan } committed { yuan } disbursed { yuan } received { yuan } spent { yuan } } }`,
    { filter },
    { token },
  );
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  const stages = result.data!.funnel;
  const of = (pick: (stage: (typeof stages)[number]) => { yuan: string }) => sum(stages.map((stage) => fenOf(pick(stage).yuan)));
  return {
    projects: stages.reduce((count, stage) => count + stage.projectCount, 0),
    amountSought: of((stage) => stage.amountSought),
    pledged: of((stage) => stage.pledged),
    committed: of((stage) => stage.committed),
    disbursed: of((stage) => stage.disbursed),
    received: of((stage) => stage.received),
    spent: of((stage) => stage.spent),
  };
}
