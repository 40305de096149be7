import { randomUUID } from 'node:crypto';
import { Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { giving360Package, grantsOfPage } from './giving360.ts';
import { iatiActivityFile } from './iati.ts';
import { DEFAULT_PUBLISHER } from './publisher.ts';
import type { OrganizationRead, ProjectActivity } from './records.ts';
import { csvFile, fen, xlsxFile, type Cell, type Column } from './spreadsheet.ts';

/**
 * A download reads its next page of the graph only when the client has taken what was written
 * of the pages before (the reply stream's backpressure): a client that stops reading stops the
 * reading of the graph, and a big download holds a page or two at a time, never the file.
 * Each writer is given a source of 200 pages that counts the pages read from it, and a client
 * that stops reading after the first bytes, then reads to the end.
 */
const PAGES = 200;
/** Pages a writer may read ahead of a client that reads nothing: its streams' buffers' worth (the XLSX zip's chain of streams holds about 9 of these pages). */
const READ_AHEAD = 16;

function countedPages<T>(page: () => T[]): { read: () => number; pages: AsyncGenerator<T[]> } {
  let read = 0;
  return {
    read: () => read,
    pages: (async function* () {
      for (let index = 0; index < PAGES; index += 1) {
        read += 1;
        yield page();
      }
    })(),
  };
}

/**
 * A client that takes the first bytes and then stops reading, as a socket whose peer reads
 * nothing does, long enough for an eager writer to have read every page; `resume` reads the
 * rest and gives the file's size.
 */
async function stalledClient(stream: Readable): Promise<{ resume: () => Promise<number> }> {
  let release = () => {};
  const released = new Promise<void>((resolve) => (release = resolve));
  let bytes = 0;
  const client = new Writable({
    highWaterMark: 1024,
    write(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      void released.then(() => callback());
    },
  });
  const finished = pipeline(stream, client);
  for (let turn = 0; turn < 50; turn += 1) await sleep(5);
  return {
    resume: async () => {
      release();
      await finished;
      return bytes;
    },
  };
}

const funder: OrganizationRead = { id: 'js-org', nameZh: '江苏某基金会', nameEn: 'A Jiangsu foundation', kind: 'FOUNDATION', provenance: { kind: 'SYNTHETIC_DEMO' } };

/** A signed project with a commitment and a disbursement, a different id each time. */
function project(): ProjectActivity {
  const id = randomUUID();
  const entry = (kind: 'COMMITMENT' | 'DISBURSEMENT') => ({
    id: randomUUID(),
    kind,
    amount: { yuan: '1234.56' },
    recordedAt: '2020-06-01T02:00:00.000Z',
    note: null,
    organization: funder,
  });
  return {
    id,
    titleZh: `项目 ${id}`,
    titleEn: null,
    description: null,
    field: 'EDUCATION',
    stage: 'IMPLEMENTING',
    iatiActivityStatus: 2,
    publishedAt: '2020-01-01T00:00:00.000Z',
    createdAt: '2020-01-01T00:00:00.000Z',
    provenance: { kind: 'SYNTHETIC_DEMO', detail: null, source: null },
    county: { code: '610902', nameZh: '汉滨区', prefecture: { code: '610900', nameZh: '安康市' } },
    raisedBy: null,
    matchedOrganization: funder,
    ceremony: null,
    amountSought: { yuan: '5000.00' },
    history: [{ sequence: 1, from: 'PUBLISHED', to: 'SIGNED', at: '2020-05-01T00:00:00.000Z' }],
    fundingEntries: [entry('COMMITMENT'), entry('DISBURSEMENT')],
    fundsEntries: [],
  };
}

const projects = (count: number) => () => Array.from({ length: count }, project);
const options = { publisher: DEFAULT_PUBLISHER, generatedAt: new Date('2024-01-01T00:00:00Z'), includesSyntheticDemo: true };

const COLUMNS: Column[] = [
  { header: 'id', kind: 'text' },
  { header: 'a', kind: 'text' },
  { header: 'b', kind: 'text' },
  { header: 'amount', kind: 'yuan' },
];
/** A page of 100 rows that compress badly, as a page of real rows does. */
const rows = (): Cell[][] => Array.from({ length: 100 }, () => [randomUUID(), randomUUID(), randomUUID(), fen(123456n)]);

describe('a download waits for its client before reading the next page', () => {
  it('IATI: activity by activity', async () => {
    const source = countedPages(projects(25));
    const file = iatiActivityFile([project()], source.pages, options);
    const client = await stalledClient(file);
    expect(source.read()).toBeLessThanOrEqual(READ_AHEAD);
    expect(await client.resume()).toBeGreaterThan(PAGES * 25 * 1000);
    expect(source.read()).toBe(PAGES);
  });

  it('360Giving: grant by grant', async () => {
    const source = countedPages(projects(25));
    const file = giving360Package(grantsOfPage([project()], DEFAULT_PUBLISHER), source.pages, options);
    const client = await stalledClient(file);
    expect(source.read()).toBeLessThanOrEqual(READ_AHEAD);
    expect(await client.resume()).toBeGreaterThan(PAGES * 25 * 500);
    expect(source.read()).toBe(PAGES);
  });

  it('CSV: row by row', async () => {
    const source = countedPages(rows);
    const file = csvFile({ sheetName: 'test', columns: COLUMNS, rows: source.pages, about: [] });
    const client = await stalledClient(file);
    expect(source.read()).toBeLessThanOrEqual(READ_AHEAD);
    expect(await client.resume()).toBeGreaterThan(PAGES * 100 * 100);
    expect(source.read()).toBe(PAGES);
  });

  it('XLSX: row by row through the zip', async () => {
    const source = countedPages(rows);
    const file = xlsxFile({ sheetName: 'test', columns: COLUMNS, rows: source.pages, about: [] });
    const client = await stalledClient(file);
    expect(source.read()).toBeLessThanOrEqual(READ_AHEAD);
    expect(await client.resume()).toBeGreaterThan(PAGES * 100 * 50);
    expect(source.read()).toBe(PAGES);
  });
});
