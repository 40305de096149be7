import { Writable } from 'node:stream';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { ErrorCode, userError } from '@hub/common';
import { Deadline, DeadlineExceededError, runWithDeadline } from '@hub/db';
import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.ts';
import { HubMetrics } from './metrics.ts';
import { subgraphServer } from './subgraph.ts';
import { DirectQueries, type SubgraphRequest } from './direct-queries.ts';

/** A subgraph with a field for each way an answer can go: found, refused, broken, late, null where it may not be. */
const typeDefs = parse(/* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])
  type Query {
    thing(id: ID!): Thing
    refused: Thing
    broken: Thing
    late: Thing
    required: Thing!
    contextSeen: String
    "Each item loaded apart, as a DataLoader's loads: the second fails."
    names: [String]
    limited(filter: Filter): Int
  }
  input Filter { limit: Int = 10 }
  type Mutation { bump: Int! }
  type Thing @key(fields: "id") {
    id: ID!
    name: String
    failing: String
  }
`);

interface ToyContext {
  seen: string;
  bumps: { count: number };
  /** Set by a resolver on the context it is given: Apollo Server gives each operation its own copy. */
  mark?: string;
}

const resolvers = {
  Query: {
    thing: (_: unknown, { id }: { id: string }) => ({ id }),
    refused: () => {
      throw userError(ErrorCode.BadUserInput, 'No such thing may be asked.', { field: 'refused' });
    },
    broken: () => {
      throw new Error('relation "toy.thing" does not exist');
    },
    late: () => {
      throw new DeadlineExceededError();
    },
    required: () => null,
    names: () => [Promise.resolve('a'), Promise.reject(new Error('b could not be read')), 'c'],
    limited: (_: unknown, { filter }: { filter: { limit?: number | null } | null }) => filter?.limit ?? -1,
    contextSeen: (_: unknown, __: unknown, context: ToyContext) => {
      const seen = `${context.seen}${context.mark ?? ''}`;
      context.mark = ' (marked)';
      return seen;
    },
  },
  Mutation: {
    bump: (_: unknown, __: unknown, { bumps }: ToyContext) => (bumps.count += 1),
  },
  Thing: {
    __resolveReference: ({ id }: { id: string }) => ({ id }),
    name: ({ id }: { id: string }) => `thing ${id}`,
    failing: () => {
      throw new Error('the thing broke inside');
    },
  },
};

const toySchema = () => buildSubgraphSchema({ typeDefs, resolvers: resolvers as never });

/** The toy subgraph as the hub runs one: its server, how an operation runs in process, what it logged and measured. */
async function toySubgraph() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  const metrics = new HubMetrics();
  const schema = toySchema();
  const { server, execute, direct } = subgraphServer<ToyContext>('toy', schema, { metrics, logger: createLogger({ level: 'warn', destination }) });
  await server.start();
  const bumps = { count: 0 };
  const context = (): ToyContext => ({ seen: 'the caller', bumps });
  /** What Apollo Server's own pipeline answers: the reference. */
  const pipeline = async (request: SubgraphRequest) => {
    const response = await server.executeOperation(request, { contextValue: context() });
    if (response.body.kind !== 'single') throw new Error('incremental');
    return response.body.singleResult;
  };
  /** Counts the requests Apollo Server's pipeline ran (each one `requestDidStart`s its plugins once). */
  let pipelineRuns = 0;
  const original = server.executeOperation.bind(server);
  server.executeOperation = ((...args: Parameters<typeof original>) => {
    pipelineRuns += 1;
    return original(...args);
  }) as typeof server.executeOperation;
  return {
    server,
    lines,
    metrics,
    bumps,
    direct: (request: SubgraphRequest, contextValue = context()) => execute(request, contextValue),
    pipeline,
    pipelineRuns: () => pipelineRuns,
    textsCompiled: () => direct.textsCompiled,
  };
}

/** The two answers as the gateway reads them (JSON: a key set to undefined is no key). */
const asSent = (value: unknown) => JSON.parse(JSON.stringify(value)) as unknown;

describe('a query run directly on a subgraph in this process', () => {
  const QUERIES: [string, SubgraphRequest, unknown][] = [
    ['found', { query: 'query One($id: ID!) { thing(id: $id) { id name } }', variables: { id: '7' }, operationName: 'One' }, { data: { thing: { id: '7', name: 'thing 7' } } }],
    [
      'an entity fetch',
      { query: 'query Ents($representations: [_Any!]!) { _entities(representations: $representations) { ... on Thing { name } } }', variables: { representations: [{ __typename: 'Thing', id: '1' }, { __typename: 'Thing', id: '2' }] } },
      { data: { _entities: [{ name: 'thing 1' }, { name: 'thing 2' }] } },
    ],
    [
      'refused with a domain code',
      { query: '{ refused { id } }' },
      { data: { refused: null }, errors: [{ message: 'No such thing may be asked.', path: ['refused'], extensions: { code: 'BAD_USER_INPUT', field: 'refused' } }] },
    ],
    [
      'broken inside',
      { query: 'query Broken { broken { id } }' },
      { data: { broken: null }, errors: [{ message: 'relation "toy.thing" does not exist', path: ['broken'], extensions: { code: 'INTERNAL_SERVER_ERROR' } }] },
    ],
    [
      'past its time limit',
      { query: '{ late { id } }' },
      { data: { late: null }, errors: [{ message: expect.stringMatching(/time limit/), path: ['late'], extensions: { code: 'TIMEOUT' } }] },
    ],
    [
      'null where it may not be',
      { query: '{ required { id } thing(id: "1") { id } }' },
      { data: null, errors: [{ message: 'Cannot return null for non-nullable field Query.required.', path: ['required'], extensions: { code: 'INTERNAL_SERVER_ERROR' } }] },
    ],
    [
      'a list with an item that fails',
      { query: '{ names }' },
      { data: { names: ['a', null, 'c'] }, errors: [{ message: 'b could not be read', path: ['names', 1] }] },
    ],
  ];

  it.each(QUERIES)('answers as Apollo Server does when %s, without its pipeline, run by graphql-js and then compiled', async (_case, request, expected) => {
    const toy = await toySubgraph();
    const reference = asSent(await toy.pipeline(request));
    const runsBefore = toy.pipelineRuns();
    const first = asSent(await toy.direct(request));
    const compiledBefore = toy.textsCompiled();
    const second = asSent(await toy.direct(request));
    const third = asSent(await toy.direct(request));

    expect(reference).toMatchObject(expected as object);
    expect(first).toEqual(reference);
    expect(toy.textsCompiled()).toBe(compiledBefore + 1);
    expect(second).toEqual(reference);
    expect(third).toEqual(reference);
    expect(toy.pipelineRuns()).toBe(runsBefore);
  });

  it('leaves a text with a variable inside an input object to graphql-js, which gives the field its default when the variable is not given', async () => {
    // graphql-jit 0.8.9 would give the field null, and the resolver would read no limit.
    const toy = await toySubgraph();
    const request = { query: 'query Limited($limit: Int) { limited(filter: { limit: $limit }) }', variables: {} };
    const reference = asSent(await toy.pipeline(request));
    const compiledBefore = toy.textsCompiled();
    const answers = [asSent(await toy.direct(request)), asSent(await toy.direct(request)), asSent(await toy.direct(request))];

    expect(reference).toEqual({ data: { limited: 10 } });
    expect(answers).toEqual([reference, reference, reference]);
    expect(toy.textsCompiled()).toBe(compiledBefore);
  });

  it('answers null where a field may not be null and is, with the errors of the fields run beside it as well', async () => {
    // graphql-js stops at the null and reports it alone; the compiled query has run the other
    // fields too, and reports what they raised. The answer is null either way.
    const toy = await toySubgraph();
    const request = { query: '{ required { id } thing(id: "1") { failing } }' };
    type Answer = { data: unknown; errors: { path: unknown }[] };
    const reference = asSent(await toy.pipeline(request)) as Answer;
    const first = asSent(await toy.direct(request)) as Answer;
    const direct = asSent(await toy.direct(request)) as Answer;

    expect(reference.data).toBeNull();
    expect(reference.errors.map((error) => error.path)).toEqual([['required']]);
    expect(first).toEqual(reference);
    expect(direct.data).toBeNull();
    expect(direct.errors.map((error) => error.path)).toEqual(expect.arrayContaining([['required'], ['thing', 'failing']]));
  });

  it('gives each operation its own copy of the context, as Apollo Server does', async () => {
    const toy = await toySubgraph();
    const request = { query: '{ contextSeen }' };
    const shared: ToyContext = { seen: 'the caller', bumps: toy.bumps };
    const first = await toy.direct(request, shared);
    const again = await toy.direct(request, shared);

    expect(first).toEqual({ data: { contextSeen: 'the caller' } });
    expect(again).toEqual(first);
  });

  it('logs an error that is not the caller\'s once, with its stack and request id, notes it for the request, and measures the operation, as the pipeline does', async () => {
    const toy = await toySubgraph();
    const request = { query: 'query Broken { broken { id } }' };
    const direct = Deadline.after(5_000);
    direct.log.requestId = 'req-direct';
    await runWithDeadline(direct, () => toy.direct(request));
    const directLines = toy.lines.splice(0);
    const piped = Deadline.after(5_000);
    piped.log.requestId = 'req-direct';
    await runWithDeadline(piped, () => toy.pipeline(request));

    expect(directLines).toHaveLength(1);
    expect(directLines[0]).toMatchObject({ level: 'error', service: 'toy', requestId: 'req-direct', operationName: 'Broken', message: 'relation "toy.thing" does not exist' });
    expect(String((directLines[0]?.['err'] as { stack?: string }).stack)).toMatch(/at /);
    expect(Object.keys(directLines[0] ?? {}).sort()).toEqual(Object.keys(toy.lines[0] ?? {}).sort());
    expect(direct.log).toMatchObject({ operationName: 'Broken', errorCodes: ['INTERNAL_SERVER_ERROR'] });
    expect(direct.log).toEqual(piped.log);
    expect(direct.operation).toBe('query');
    const measured = (await toy.metrics.text()).split('\n').find((line) => line.startsWith('hub_graphql_operation_duration_seconds_count{') && line.includes('operation="Broken"'));
    expect(measured).toMatch(/service="toy".*outcome="INTERNAL_SERVER_ERROR".* 2$/);
  });

  it('keeps texts parsed up to a length of text', async () => {
    const schema = toySchema();
    const unused = async () => ({ data: null });
    // Each text below is 25 characters and its key one more: two fit in 60.
    const direct = new DirectQueries<ToyContext>(schema, [], (formatted) => formatted, unused, 60);
    const context: ToyContext = { seen: 'the caller', bumps: { count: 0 } };
    const ask = (id: string) => direct.execute({ query: `{ thing(id: "${id}") { id } }` }, context);
    await ask('1');
    await ask('2');
    await ask('1');
    await ask('3');

    expect(direct.textsKept).toBe(2);
    expect(await ask('1')).toEqual({ data: { thing: { id: '1' } } });
  });

  it('leaves to the pipeline what it does not run itself, which answers as it always has', async () => {
    const toy = await toySubgraph();
    const cases: SubgraphRequest[] = [
      { query: '{ thing(id: "1") { nope } }' },
      { query: '{ thing(id: ' },
      { query: 'query A { thing(id: "1") { id } } query B { refused { id } }', operationName: 'C' },
      { query: 'query One($id: ID!) { thing(id: $id) { id } }', variables: {} },
    ];
    for (const request of cases) {
      // Asked twice: a text kept parsed is compiled at its second run, and refused variables are refused there too.
      for (const _run of [1, 2]) {
        const runsBefore = toy.pipelineRuns();
        const direct = asSent(await toy.direct(request));
        expect(toy.pipelineRuns()).toBe(runsBefore + 1);
        expect(direct).toEqual(asSent(await toy.pipeline(request)));
        expect((direct as { errors?: unknown[] }).errors).toHaveLength(1);
      }
    }
  });

  it('runs a mutation once, through the pipeline', async () => {
    const toy = await toySubgraph();
    const answer = await toy.direct({ query: 'mutation { bump }' });

    expect(answer).toMatchObject({ data: { bump: 1 } });
    expect(toy.bumps.count).toBe(1);
    expect(toy.pipelineRuns()).toBe(1);
  });
});

/** The toy schema on an Apollo Server with `plugins` alone, and the direct path given the same plugins and that server's pipeline. */
async function withPlugins(plugins: ApolloServerPlugin<ToyContext>[]) {
  const schema = toySchema();
  // A copy: Apollo Server adds plugins of its own to the list it is given (an inline trace's, for a subgraph).
  const server = new ApolloServer<ToyContext>({ schema, plugins: [...plugins] });
  await server.start();
  const pipeline = async (request: SubgraphRequest, contextValue: ToyContext) => {
    const response = await server.executeOperation(request, { contextValue });
    return response.body.kind === 'single' ? response.body.singleResult : {};
  };
  return { pipeline, direct: new DirectQueries<ToyContext>(schema, plugins, (formatted) => formatted, pipeline) };
}

describe('a subgraph plugin listening for a hook the direct path does not call', () => {
  it('sends its queries through the pipeline, where the hook is called', async () => {
    const started: string[] = [];
    class ExecutionWatcher {
      async executionDidStart() {
        started.push('execution');
      }
    }
    const { direct } = await withPlugins([{ requestDidStart: async () => new ExecutionWatcher() }]);
    const answer = await direct.execute({ query: '{ thing(id: "1") { id } }' }, { seen: 'the caller', bumps: { count: 0 } });

    expect(answer).toEqual({ data: { thing: { id: '1' } } });
    expect(started).toEqual(['execution']);
  });

  it('leaves a query whose hook throws to the pipeline, which answers it its way', async () => {
    const { direct, pipeline } = await withPlugins([
      {
        requestDidStart: async () => ({
          didResolveOperation: async () => {
            throw new Error('this operation may not run');
          },
        }),
      },
    ]);
    const context: ToyContext = { seen: 'the caller', bumps: { count: 0 } };
    const request = { query: '{ thing(id: "1") { id } }' };
    const answer = asSent(await direct.execute(request, context));

    expect(answer).toEqual(asSent(await pipeline(request, context)));
    expect(answer).toMatchObject({ errors: [{ message: 'this operation may not run' }] });
  });
});
