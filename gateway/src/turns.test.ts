import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { Deadline, runWithDeadline } from '@hub/db';
import { NoTurnError } from '@hub/server';
import { describe, expect, it } from 'vitest';
import { TakingTurns } from './turns.ts';

/** A subgraph that notes each fetch it was asked for. */
function noting() {
  const asked: string[] = [];
  const source: GraphQLDataSource = {
    async process(options) {
      asked.push(options.request.query ?? '');
      return { data: { ok: true } };
    },
  };
  return { asked, source };
}

const fetchOf = (query: string) => ({ request: { query, variables: {} }, context: {} }) as unknown as GraphQLDataSourceProcessOptions;
const MUTATION = 'mutation { pledge(input: { amountFen: "1" }) { id } second: pledge(input: { amountFen: "2" }) { id } }';

describe("a gateway's fetches taking their request's turn", () => {
  it('wait for the turn before the subgraph is asked anything', async () => {
    const { asked, source } = noting();
    const deadline = Deadline.after(5_000);
    let grant!: () => void;
    deadline.takeTurn = () => new Promise<void>((resolve) => (grant = resolve));
    const fetched = runWithDeadline(deadline, () => new TakingTurns(source).process(fetchOf('{ ok }')));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(asked).toEqual([]);
    grant();
    expect(await fetched).toEqual({ data: { ok: true } });
    expect(asked).toEqual(['{ ok }']);
  });

  it('refused a turn, ask the subgraph nothing and say TIMEOUT at each field', async () => {
    const { asked, source } = noting();
    const deadline = Deadline.after(5_000);
    deadline.takeTurn = () => Promise.reject(new NoTurnError('late'));
    const answer = await runWithDeadline(deadline, () => new TakingTurns(source).process(fetchOf(MUTATION)));
    expect(asked).toEqual([]);
    expect(answer.data).toBeUndefined();
    expect(answer.errors?.map((error) => [error.path, error.extensions?.code])).toEqual([
      [['pledge'], 'TIMEOUT'],
      [['second'], 'TIMEOUT'],
    ]);
    expect(answer.errors?.[0]?.message).toMatch(/nothing of it ran/);
  });

  it('pass any other failure of the turn on as it is', async () => {
    const { source } = noting();
    const deadline = Deadline.after(5_000);
    deadline.takeTurn = () => Promise.reject(new Error('broken'));
    await expect(runWithDeadline(deadline, () => new TakingTurns(source).process(fetchOf('{ ok }')))).rejects.toThrow('broken');
  });

  it('ask the subgraph at once where nothing limits the request', async () => {
    const { asked, source } = noting();
    expect(await runWithDeadline(Deadline.after(5_000), () => new TakingTurns(source).process(fetchOf('{ ok }')))).toEqual({ data: { ok: true } });
    expect(asked).toEqual(['{ ok }']);
  });
});
