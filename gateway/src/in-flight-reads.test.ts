import { describe, expect, it } from 'vitest';
import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import type { Identity } from '@hub/common';
import { DataVersions, Deadline, currentWritesNoted, noReads, runWithDeadline, type TablesRead } from '@hub/db';
import { InFlightReads } from './in-flight-reads.ts';
import { RequestVersions } from './request-versions.ts';

/** A subgraph whose every fetch waits until the test lets it answer, counting what it ran. */
function heldSubgraph() {
  const waiting: { query: string; answer: (response: GatewayGraphQLResponse) => void }[] = [];
  const source: GraphQLDataSource = {
    process: (options) =>
      new Promise((resolve) => waiting.push({ query: options.request.query ?? '', answer: resolve })),
  };
  return {
    source,
    waiting,
    answerAll(data: Record<string, unknown>) {
      for (const fetch of waiting.splice(0)) fetch.answer({ data: structuredClone(data) });
    },
  };
}

const PUBLIC: Identity = { role: 'PUBLIC', subject: null, organizationId: null };
const OFFICE: Identity = { role: 'SHAANXI_OFFICE', subject: 'office-1', organizationId: null };

/** A subgraph fetch of one gateway request (its context); a new context for each by default. */
const fetch = (query: string, identity: Identity, variables: Record<string, unknown> = {}, context: object = { identity, requestId: 'r' }) =>
  ({ request: { query, variables }, context }) as unknown as GraphQLDataSourceProcessOptions;

const READ = 'query County($code: DivisionCode!) { county(code: $code) { nameZh } }';
const WRITE = 'mutation Move { moveProject(input: { projectId: "x", to: PUBLISHED, expectedVersion: 0 }) { id } }';

describe('joining identical reads in flight', () => {
  it('runs identical reads of one caller once, and gives each its own copy of the answer', async () => {
    const subgraph = heldSubgraph();
    const source = new InFlightReads().wrap('shaanxi', subgraph.source);
    const answers = Promise.all([1, 2, 3].map(() => source.process(fetch(READ, PUBLIC, { code: '610927' }))));
    expect(subgraph.waiting).toHaveLength(1);
    subgraph.answerAll({ county: { nameZh: '镇坪县' } });
    const [a, b, c] = await answers;
    expect([a, b, c]).toEqual([1, 2, 3].map(() => ({ data: { county: { nameZh: '镇坪县' } } })));
    (a!.data as { county: { nameZh: string } }).county.nameZh = 'changed by one caller';
    expect(b!.data).toEqual({ county: { nameZh: '镇坪县' } });
  });

  it('runs again once the read has settled', async () => {
    const subgraph = heldSubgraph();
    const source = new InFlightReads().wrap('shaanxi', subgraph.source);
    const first = source.process(fetch(READ, PUBLIC, { code: '610927' }));
    subgraph.answerAll({ county: null });
    await first;
    void source.process(fetch(READ, PUBLIC, { code: '610927' }));
    expect(subgraph.waiting).toHaveLength(1);
  });

  it('does not join reads of different callers, variables, subgraphs or documents', () => {
    const subgraph = heldSubgraph();
    const reads = new InFlightReads();
    const shaanxi = reads.wrap('shaanxi', subgraph.source);
    void shaanxi.process(fetch(READ, PUBLIC, { code: '610927' }));
    void shaanxi.process(fetch(READ, OFFICE, { code: '610927' }));
    void shaanxi.process(fetch(READ, { ...OFFICE, subject: 'office-2' }, { code: '610927' }));
    // One person acting for two organizations reads what each may read, apart.
    void shaanxi.process(fetch(READ, { role: 'FOUNDATION_MEMBER', subject: 'member-1', organizationId: 'js-a' }, { code: '610927' }));
    void shaanxi.process(fetch(READ, { role: 'FOUNDATION_MEMBER', subject: 'member-1', organizationId: 'js-b' }, { code: '610927' }));
    void shaanxi.process(fetch(READ, PUBLIC, { code: '610929' }));
    void reads.wrap('pairing', subgraph.source).process(fetch(READ, PUBLIC, { code: '610927' }));
    void shaanxi.process(fetch(`${READ} `, PUBLIC, { code: '610927' }));
    expect(subgraph.waiting).toHaveLength(8);
  });

  it('never joins writes, and never joins a read that started before a write finished', async () => {
    const subgraph = heldSubgraph();
    const source = new InFlightReads().wrap('pairing', subgraph.source);
    void source.process(fetch(WRITE, OFFICE));
    void source.process(fetch(WRITE, OFFICE));
    expect(subgraph.waiting).toHaveLength(2);
    // A read starts, then the writes finish: a read after them runs anew, and sees them.
    const before = source.process(fetch(READ, PUBLIC, { code: '610927' }));
    const [write] = subgraph.waiting.splice(0, 2);
    write!.answer({ data: { moveProject: { id: 'x' } } });
    await Promise.resolve();
    const after = source.process(fetch(READ, PUBLIC, { code: '610927' }));
    expect(subgraph.waiting.map((waiting) => waiting.query)).toEqual([READ, READ]);
    subgraph.answerAll({ county: { nameZh: '镇坪县' } });
    await Promise.all([before, after]);
  });

  it('never lets a request that began after a write join one that began before it, whenever their fetches start', async () => {
    const subgraph = heldSubgraph();
    const source = new InFlightReads().wrap('pairing', subgraph.source);
    // Request A reads once (its subgraph context now holds rows from before the write)...
    const requestA = { identity: PUBLIC, requestId: 'a' };
    const first = source.process(fetch(READ, PUBLIC, { code: '610929' }, requestA));
    subgraph.answerAll({ county: null });
    await first;
    // ...a write finishes, then A fetches again, and B, who has the write's answer, asks the same.
    const write = source.process(fetch(WRITE, OFFICE));
    subgraph.waiting.splice(0)[0]!.answer({ data: { moveProject: { id: 'x' } } });
    await write;
    void source.process(fetch(READ, PUBLIC, { code: '610927' }, requestA));
    void source.process(fetch(READ, PUBLIC, { code: '610927' }, { identity: PUBLIC, requestId: 'b' }));
    expect(subgraph.waiting).toHaveLength(2);
    // A request's own later write moves it on too (an operation of two mutations): its reads
    // after it never join a read that another request began before that write.
    const requestC = { identity: OFFICE, requestId: 'c' };
    void source.process(fetch(READ, OFFICE, { code: '610929' }, requestC));
    void source.process(fetch(READ, OFFICE, { code: '610924' }, { identity: OFFICE, requestId: 'd' }));
    expect(subgraph.waiting).toHaveLength(4);
    const own = source.process(fetch(WRITE, OFFICE, {}, requestC));
    subgraph.waiting.pop()!.answer({ data: { moveProject: { id: 'x' } } });
    await own;
    void source.process(fetch(READ, OFFICE, { code: '610924' }, requestC));
    expect(subgraph.waiting).toHaveLength(5);
  });

  it('runs a joiner again on its own time when the shared answer ran out of the first caller\'s', async () => {
    const subgraph = heldSubgraph();
    const source = new InFlightReads().wrap('shaanxi', subgraph.source);
    const first = source.process(fetch(READ, PUBLIC, { code: '610927' }));
    const joiner = source.process(fetch(READ, PUBLIC, { code: '610927' }));
    expect(subgraph.waiting).toHaveLength(1);
    subgraph.waiting.splice(0)[0]!.answer({ data: null, errors: [{ message: 'Out of time.', extensions: { code: 'TIMEOUT' } }] });
    expect((await first).errors?.[0]?.extensions?.code).toBe('TIMEOUT');
    await Promise.resolve();
    expect(subgraph.waiting).toHaveLength(1);
    subgraph.answerAll({ county: { nameZh: '镇坪县' } });
    expect(await joiner).toEqual({ data: { county: { nameZh: '镇坪县' } } });
  });

  it("counts the tables the first caller's request read as read by each request that joined it", async () => {
    const subgraph = heldSubgraph();
    const source = new InFlightReads().wrap('shaanxi', subgraph.source);
    /** A gateway request noting its reads, as the response cache has it note them. */
    const request = (reads: TablesRead | undefined) => {
      const deadline = Deadline.after(10_000);
      deadline.reads = reads;
      return runWithDeadline(deadline, () => source.process(fetch(READ, PUBLIC, { code: '610927' })));
    };
    const noting = (): TablesRead => noReads(new Set(['shaanxi']));

    const first = noting();
    const joiner = noting();
    const firstAnswer = request(first);
    // What the first request read before and during the shared fetch, as its statements named it.
    first.tables.add('shaanxi.counties').add('shaanxi.organizations');
    const joined = request(joiner);
    expect(subgraph.waiting).toHaveLength(1);
    subgraph.answerAll({ county: { nameZh: '镇坪县' } });
    await Promise.all([firstAnswer, joined]);
    expect([...joiner.tables].sort()).toEqual(['shaanxi.counties', 'shaanxi.organizations']);
    expect(joiner.unknown).toBe(false);

    // A first request that noted nothing: what the joiner took was read from tables nobody knows.
    const blind = request(undefined);
    const late = noting();
    const joinedBlind = request(late);
    expect(subgraph.waiting).toHaveLength(1);
    subgraph.answerAll({ county: { nameZh: '镇坪县' } });
    await Promise.all([blind, joinedBlind]);
    expect(late.unknown).toBe(true);
  });

  it('keeps nothing of a joiner whose request read its versions after the shared fetch began', async () => {
    const subgraph = heldSubgraph();
    const versions = new RequestVersions(async () => new DataVersions(new Map([['shaanxi.counties', '1']]), undefined));
    const source = new InFlightReads(versions).wrap('shaanxi', subgraph.source);
    /** A gateway request noting its reads: its versions are read (as its caches read them) when the test says. */
    const request = () => {
      const deadline = Deadline.after(10_000);
      const reads = noReads(new Set(['shaanxi']));
      deadline.reads = reads;
      return {
        reads,
        readVersions: () => runWithDeadline(deadline, () => versions.of(deadline)),
        fetch: () => runWithDeadline(deadline, () => source.process(fetch(READ, PUBLIC, { code: '610927' }))),
      };
    };
    const early = request();
    const first = request();
    const late = request();

    await early.readVersions();
    await first.readVersions();
    first.reads.tables.add('shaanxi.counties');
    const answers = [first.fetch(), early.fetch()];
    // Read after the shared fetch began: what it read may be older than these versions.
    await late.readVersions();
    answers.push(late.fetch());
    expect(subgraph.waiting).toHaveLength(1);
    subgraph.answerAll({ county: { nameZh: '镇坪县' } });
    await Promise.all(answers);

    expect(early.reads.unknown, 'versions read before the shared fetch began').toBe(false);
    expect([...early.reads.tables]).toEqual(['shaanxi.counties']);
    expect(late.reads.unknown, 'versions read after it began: the answer is not kept').toBe(true);
  });

  describe('across writes, where the subgraphs run in this process', () => {
    const SCHEMAS = new Set(['jiangsu', 'pairing']);
    const READS_OF_TRACKING = ['pairing.project_pipeline', 'jiangsu.funding_year_sum'];

    /** A subgraph whose reads are held until answered and whose writes note `wrote` (none: not known) and end at once. */
    function writingSubgraph() {
      const held = heldSubgraph();
      let wrote: string[] | undefined = [];
      const source: GraphQLDataSource = {
        process: (options) => {
          if (!options.request.query?.startsWith('mutation')) return held.source.process(options);
          const written = currentWritesNoted()!;
          if (wrote) for (const table of wrote) written.tables.add(table);
          else written.unknown = true;
          return Promise.resolve({ data: { recordPledge: { id: 'e' } } });
        },
      };
      return { ...held, source, writes: (tables: string[] | undefined) => (wrote = tables) };
    }

    /** A gateway request of its own, as the hub makes one: its deadline, and a context its fetches share. */
    const request = (source: GraphQLDataSource, identity = PUBLIC) => {
      const deadline = Deadline.after(10_000);
      const context = { identity, requestId: 'r' };
      return {
        deadline,
        fetch: (query: string, variables: Record<string, unknown> = {}) => runWithDeadline(deadline, () => source.process(fetch(query, identity, variables, context))),
      };
    };
    const PLEDGE = 'mutation Pledge { recordPledge(input: {}) { id } }';
    const TRACKING = 'query Tracking { agreement(id: "a") { tracking { term { projectsSigned { actual } } } } }';

    it('lets a read join one begun before a write that wrote none of the tables its request read, and checks them once it has settled', async () => {
      const subgraph = writingSubgraph();
      const source = new InFlightReads(undefined, SCHEMAS).wrap('pairing', subgraph.source);
      const first = request(source);
      const firstAnswer = first.fetch(TRACKING);
      // A pledge writes the entries and totals, never the year sums or the pipeline.
      subgraph.writes(['jiangsu.funding_entry', 'jiangsu.funding_project_total']);
      await request(source, OFFICE).fetch(PLEDGE);
      const joiner = request(source).fetch(TRACKING);
      // What the first request read as it ran, noted by its statements.
      for (const table of READS_OF_TRACKING) first.deadline.reads!.tables.add(table);
      expect(subgraph.waiting).toHaveLength(1);
      subgraph.answerAll({ agreement: { tracking: { term: { projectsSigned: { actual: 15 } } } } });
      expect(await joiner).toEqual(await firstAnswer);
      expect(subgraph.waiting).toHaveLength(0);
    });

    it('runs a read anew when a write the caller has seen wrote a table the first request read, found before or after it settled', async () => {
      const subgraph = writingSubgraph();
      const source = new InFlightReads(undefined, SCHEMAS).wrap('pairing', subgraph.source);
      const first = request(source);
      const firstAnswer = first.fetch(TRACKING);
      // A commitment writes the year sums too (by the entries' trigger).
      subgraph.writes(['jiangsu.funding_entry', 'jiangsu.funding_year_sum']);
      await request(source, OFFICE).fetch(PLEDGE);
      // Nothing read yet when this one arrives: it waits for the shared answer, then checks.
      const waited = request(source).fetch(TRACKING);
      expect(subgraph.waiting).toHaveLength(1);
      for (const table of READS_OF_TRACKING) first.deadline.reads!.tables.add(table);
      // The sums read already when this one arrives: it runs at once.
      const late = request(source).fetch(TRACKING);
      expect(subgraph.waiting).toHaveLength(2);
      subgraph.waiting.shift()!.answer({ data: { agreement: { tracking: { term: { projectsSigned: { actual: 15 } } } } } });
      await firstAnswer;
      // The first answer settled with the sums among its reads: the one that waited joins the late one's run.
      await new Promise((resolve) => setTimeout(resolve, 0));
      expect(subgraph.waiting).toHaveLength(1);
      subgraph.answerAll({ agreement: { tracking: { term: { projectsSigned: { actual: 16 } } } } });
      const after = { data: { agreement: { tracking: { term: { projectsSigned: { actual: 16 } } } } } };
      expect(await waited).toEqual(after);
      expect(await late).toEqual(after);
    });

    it('never joins across a write whose tables are not known, nor where the first request noted no reads', async () => {
      const subgraph = writingSubgraph();
      const source = new InFlightReads(undefined, SCHEMAS).wrap('pairing', subgraph.source);
      void request(source).fetch(TRACKING);
      subgraph.writes(undefined);
      await request(source, OFFICE).fetch(PLEDGE);
      void request(source).fetch(TRACKING);
      expect(subgraph.waiting).toHaveLength(2);

      // A fetch outside any request (none to note its reads), then a write of other tables.
      const another = writingSubgraph();
      const outside = new InFlightReads(undefined, SCHEMAS).wrap('pairing', another.source);
      void outside.process(fetch(TRACKING, PUBLIC));
      another.writes(['jiangsu.funding_entry']);
      await request(outside, OFFICE).fetch(PLEDGE);
      void outside.process(fetch(TRACKING, PUBLIC));
      expect(another.waiting).toHaveLength(2);
    });

    it('never joins across writes a fetch of a request that wrote: its loaders may hold rows its write read', async () => {
      const subgraph = writingSubgraph();
      const source = new InFlightReads(undefined, SCHEMAS).wrap('pairing', subgraph.source);
      const writer = request(source, OFFICE);
      subgraph.writes(['jiangsu.funding_entry']);
      await writer.fetch(PLEDGE);
      void writer.fetch(TRACKING);
      subgraph.writes(['jiangsu.funding_year_sum']);
      await request(source, OFFICE).fetch(PLEDGE);
      void request(source, OFFICE).fetch(TRACKING);
      expect(subgraph.waiting).toHaveLength(2);
    });

    it('never joins across a write over HTTP, where no statement is seen', async () => {
      const subgraph = heldSubgraph();
      const source = new InFlightReads().wrap('pairing', subgraph.source);
      // Even with its reads noted (the tables it named are none here: its statements ran elsewhere).
      const first = request(source);
      first.deadline.reads = noReads(SCHEMAS);
      void first.fetch(TRACKING);
      const write = request(source, OFFICE).fetch(PLEDGE);
      subgraph.waiting.pop()!.answer({ data: { recordPledge: { id: 'e' } } });
      await write;
      void request(source).fetch(TRACKING);
      expect(subgraph.waiting).toHaveLength(2);
    });
  });
});
