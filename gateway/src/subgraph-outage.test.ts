import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { parse } from 'graphql';
import { afterEach, describe, expect, it } from 'vitest';
import { OutageAwareDataSource, fieldPathsOf, reportingUnreachable } from './subgraph-outage.ts';

/**
 * What counts as "the subgraph cannot be reached" — no connection, a 5xx, a body that is not
 * GraphQL — against a real HTTP server standing in for a broken subgraph; and what does not:
 * a subgraph that answered, even with a refusal.
 */
const ENTITY_FETCH = `query ($representations: [_Any!]!) {
  _entities(representations: $representations) { ... on Project { pledged { fen } committed { fen } __typename } ... on County { nameZh } }
}`;
const REPRESENTATIONS = [
  { __typename: 'Project', id: 'p1' },
  { __typename: 'Project', id: 'p2' },
];

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

/** A stand-in subgraph that answers every request with `status`, `type` and `body`. */
async function answering(status: number, type: string, body: string): Promise<string> {
  server = createServer((_request, response) => {
    response.writeHead(status, { 'content-type': type });
    response.end(body);
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
}

async function addressNothingListensOn(): Promise<string> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return `http://127.0.0.1:${port}/graphql`;
}

async function fetchEntities(url: string, query = ENTITY_FETCH, variables: Record<string, unknown> = { representations: REPRESENTATIONS }) {
  const logged: Record<string, unknown>[] = [];
  const source = reportingUnreachable('jiangsu', new OutageAwareDataSource({ url }), { error: (entry) => logged.push(entry) });
  const context = { requestId: 'request-1' };
  // The fetch of an entity fetch as Apollo Gateway hands it over. Its enum of request kinds is
  // not exported, and the data source reads nothing of the incoming request but its cache
  // policy, absent here.
  const options = {
    kind: 'incoming operation',
    request: { query, variables },
    document: parse(query),
    context,
    incomingRequestContext: {},
  } as unknown as GraphQLDataSourceProcessOptions;
  const first = await source.process(options);
  await source.process(options);
  return { response: first, logged };
}

const UNAVAILABLE_AT_EVERY_FIELD = [
  { path: ['_entities', 0, 'pledged'], extensions: { code: 'SUBGRAPH_UNAVAILABLE', subgraph: 'jiangsu' } },
  { path: ['_entities', 0, 'committed'], extensions: { code: 'SUBGRAPH_UNAVAILABLE', subgraph: 'jiangsu' } },
  { path: ['_entities', 1, 'pledged'], extensions: { code: 'SUBGRAPH_UNAVAILABLE', subgraph: 'jiangsu' } },
  { path: ['_entities', 1, 'committed'], extensions: { code: 'SUBGRAPH_UNAVAILABLE', subgraph: 'jiangsu' } },
];

describe('an unreachable subgraph', () => {
  it.each([
    ['a 502 from a proxy', 502, 'text/html', '<html>Bad Gateway</html>'],
    ['a 503 with a JSON body', 503, 'application/json', '{"status":"unavailable"}'],
    ['a 200 that is not JSON', 200, 'text/html', '<html>maintenance</html>'],
    ['a 200 whose JSON is broken', 200, 'application/json', '{"data": {'],
  ])('is %s: every field the fetch asked for is null with SUBGRAPH_UNAVAILABLE, logged once', async (_case, status, type, body) => {
    const { response, logged } = await fetchEntities(await answering(status, type, body));
    expect(response.data).toBeUndefined();
    expect(response.errors).toMatchObject(UNAVAILABLE_AT_EVERY_FIELD);
    expect(response.errors).toHaveLength(4);
    expect(JSON.stringify(response.errors)).not.toContain('127.0.0.1');
    expect(logged).toMatchObject([{ requestId: 'request-1', code: 'SUBGRAPH_UNAVAILABLE', subgraph: 'jiangsu' }]);
  });

  it('is a refused connection', async () => {
    const { response, logged } = await fetchEntities(await addressNothingListensOn());
    expect(response.errors).toMatchObject(UNAVAILABLE_AT_EVERY_FIELD);
    expect(String(logged[0]!.message)).toContain('ECONNREFUSED');
  });

  it('leaves a change unknown when the request may have arrived, and says it was not made when it cannot have', async () => {
    const mutation = 'mutation ($input: FundingEntryInput!) { recordPledge(input: $input) { id } }';
    const variables = { input: { projectId: 'p1' } };
    const stopped = await fetchEntities(await answering(502, 'text/html', 'Bad Gateway'), mutation, variables);
    expect(stopped.response.errors).toMatchObject([
      { path: ['recordPledge'], extensions: { code: 'SUBGRAPH_UNAVAILABLE', subgraph: 'jiangsu', changeMade: 'UNKNOWN' } },
    ]);
    expect(stopped.response.errors![0]!.message).toMatch(/same idempotency key/);

    // An address nothing listens on (a pooled connection to the closed stand-in would be reset
    // instead, after the request may have been sent: rightly UNKNOWN).
    const refused = await fetchEntities(await addressNothingListensOn(), mutation, variables);
    expect(refused.response.errors).toMatchObject([
      { path: ['recordPledge'], extensions: { code: 'SUBGRAPH_UNAVAILABLE', subgraph: 'jiangsu', changeMade: 'NO' } },
    ]);
  });

  it('is not a subgraph that answered with a refusal: that stays an error of its own', async () => {
    const url = await answering(400, 'application/json', '{"errors":[{"message":"bad request"}]}');
    await expect(fetchEntities(url)).rejects.toThrow('400');
  });
});

describe('fieldPathsOf', () => {
  it('names each root field of a root fetch, by its alias', () => {
    expect(fieldPathsOf(parse('{ pipeline { nodes { id } } first: funnel { stage } __typename }'), {})).toEqual([['pipeline'], ['first']]);
  });

  it('names the fields of each entity whose type the fragment is on', () => {
    const representations = [{ __typename: 'County', code: '610929' }, { __typename: 'Project', id: 'p1' }];
    expect(fieldPathsOf(parse(ENTITY_FETCH), { representations })).toEqual([
      ['_entities', 0, 'nameZh'],
      ['_entities', 1, 'pledged'],
      ['_entities', 1, 'committed'],
    ]);
  });
});
