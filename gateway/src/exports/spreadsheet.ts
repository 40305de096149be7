import { PassThrough, Readable, pipeline, type Writable } from 'node:stream';
import { stringify } from 'csv-stringify';
import { yuanNumber, yuanOfFen } from './money.ts';

/** An amount of money in a cell: exact fen, shown as yuan. */
export interface FenCell {
  fen: bigint;
}

export type Cell = string | number | FenCell | null;

export interface Column {
  /** Chinese and English, so that either reader finds the column. */
  header: string;
  /** What its cells hold; a `number` column may hold amounts of money (yuan) beside counts. */
  kind: 'text' | 'number' | 'yuan';
  /** Width in characters in the XLSX sheet. */
  width?: number;
}

/** A table the offices open in a spreadsheet: its columns, and its rows page by page. */
export interface Table {
  /** The sheet's name in the XLSX workbook (at most 31 characters). */
  sheetName: string;
  columns: readonly Column[];
  rows: AsyncIterable<Cell[][]>;
  /** What the XLSX workbook's second sheet says of the table: what it holds, and its totals as the graph gives them. */
  about: readonly (readonly [string, string])[];
}

export const fen = (amount: bigint): FenCell => ({ fen: amount });

/**
 * The table as CSV, UTF-8 with a byte-order mark so that Excel reads the Chinese as Chinese,
 * written by csv-stringify as its rows arrive. Money is exact yuan with two places, from fen.
 */
export function csvFile(table: Table): Readable {
  const stringifier = stringify({ bom: true, header: true, columns: table.columns.map((column) => column.header), record_delimiter: 'windows' });
  const records = Readable.from(
    (async function* () {
      for await (const page of table.rows) {
        for (const row of page) yield row.map(csvValue);
      }
    })(),
  );
  // A failure on the way destroys the CSV with it: the download is cut off, never ended as if whole.
  pipeline(records, stringifier, () => {});
  return stringifier;
}

function csvValue(cell: Cell): string {
  if (cell === null) return '';
  if (typeof cell === 'object') return yuanOfFen(cell.fen);
  return String(cell);
}

/**
 * The table as an XLSX workbook, written by exceljs's streaming writer as its rows arrive:
 * each row is committed (and leaves memory) once added, and no page is read while the
 * download's reader is behind. Money is a number formatted with two places, whose digits are
 * the exact yuan (`yuanNumber` refuses an amount a number cannot carry exactly), so that a
 * sum in the sheet works; a second sheet says what the table holds.
 */
export function xlsxFile(table: Table): Readable {
  const output = new PassThrough();
  (async () => {
    // Loaded with the first workbook asked for: exceljs and its zip libraries are most of a
    // second of loading, which every start of the hub would otherwise pay.
    const { default: ExcelJS } = await import('exceljs');
    const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: output, useStyles: true, useSharedStrings: false });
    const sheet = workbook.addWorksheet(table.sheetName, { views: [{ state: 'frozen', ySplit: 1 }] });
    sheet.columns = table.columns.map((column, index) => ({
      header: column.header,
      key: String(index),
      width: column.width ?? (column.kind === 'text' ? 24 : 16),
    }));
    for await (const page of table.rows) {
      for (const cells of page) {
        const row = sheet.addRow(cells.map(xlsxValue));
        cells.forEach((cell, index) => {
          if (cell !== null && typeof cell === 'object') row.getCell(index + 1).numFmt = '#,##0.00';
        });
        row.commit();
      }
      await caughtUp((sheet as unknown as { stream: unknown }).stream, output);
      // The reader went away: no further page is read.
      if (output.destroyed) return;
    }
    sheet.commit();
    const about = workbook.addWorksheet('说明 About');
    about.columns = [
      { header: '项目 Item', key: 'item', width: 32 },
      { header: '内容 Value', key: 'value', width: 80 },
    ];
    for (const [item, value] of table.about) about.addRow({ item, value }).commit();
    about.commit();
    await workbook.commit();
  })().catch((error: unknown) => output.destroy(error instanceof Error ? error : new Error(String(error))));
  return output;
}

/**
 * Waits until the zip has compressed what the sheet wrote and the client has taken the file's
 * bytes so far, or has gone away. exceljs's sheet stream (a StreamBuf, in exceljs 4.4) writes
 * into the zip's compressor without heeding its backpressure, so the output's alone says
 * nothing while the compressor holds a backlog: with pages read faster than zlib runs, a whole
 * workbook's rows piled up there before any reached the output.
 */
async function caughtUp(sheetStream: unknown, output: PassThrough): Promise<void> {
  // Where the sheet's bytes go: archiver's stream of the zip entry, which feeds the compressor
  // with backpressure. It is a readable-stream v2 stream, which has no `writableNeedDrain`.
  const entry = (sheetStream as { pipes?: Writable[] }).pipes?.[0];
  const behind = (stream: Writable) => stream.writableNeedDrain ?? (stream as unknown as { _writableState?: { needDrain?: boolean } })._writableState?.needDrain ?? false;
  if (entry && behind(entry)) await drainedOrClosed(entry, output);
  if (output.writableNeedDrain) await drainedOrClosed(output, output);
}

/** Resolves when `stream` drains, or when the output closes (the client went away). */
function drainedOrClosed(stream: Writable, output: PassThrough): Promise<void> {
  if (output.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done);
      output.off('close', done);
      resolve();
    };
    stream.once('drain', done);
    output.once('close', done);
  });
}

function xlsxValue(cell: Cell): string | number | null {
  if (cell === null) return null;
  if (typeof cell === 'object') return yuanNumber(cell.fen);
  return cell;
}
