import { serviceIdentity, type Identity } from '@hub/common';
import type { RunningSubgraph } from './subgraph.ts';
import { signIdentity } from './trust.ts';
import { currentDeadline } from '@hub/db';
import { TIMEOUT_HEADER } from './deadline.ts';

/**
 * How a subgraph asks another for data it owns, when a rule spans two subgraphs (a Jiangsu
 * commitment needs the project's stage from the pairing). It sends an ordinary federation
 * `_entities` query, as the gateway would, under a SERVICE identity.
 */
export interface Peers {
  query<TData>(subgraph: string, document: string, variables: Record<string, unknown>): Promise<TData>;
}

export type PeerTransport = (document: string, variables: Record<string, unknown>, identity: Identity) => Promise<unknown>;

export class PeerUnavailableError extends Error {}

/** A directory of the subgraphs, filled in as they come up; each asks under its own name. */
export class PeerDirectory {
  private readonly transports = new Map<string, PeerTransport>();

  register(subgraph: string, transport: PeerTransport): void {
    this.transports.set(subgraph, transport);
  }

  /** The peers as one subgraph sees them: its queries carry its own service identity. */
  for(self: string): Peers {
    return {
      query: async <TData>(subgraph: string, document: string, variables: Record<string, unknown>) => {
        const transport = this.transports.get(subgraph);
        if (!transport) throw new PeerUnavailableError(`subgraph ${subgraph} is not reachable from ${self}`);
        const result = (await transport(document, variables, serviceIdentity(self))) as {
          data?: TData;
          errors?: { message: string }[];
        };
        if (result.errors?.length) {
          throw new PeerUnavailableError(`subgraph ${subgraph} answered: ${result.errors.map((e) => e.message).join('; ')}`);
        }
        if (!result.data) throw new PeerUnavailableError(`subgraph ${subgraph} answered without data`);
        return result.data;
      },
    };
  }
}

/** Reaches a subgraph running in this process through its own Apollo Server. */
export function inProcessTransport(subgraph: RunningSubgraph<object>): PeerTransport {
  return async (document, variables, identity) => {
    const response = await subgraph.server.executeOperation(
      { query: document, variables },
      { contextValue: subgraph.createContext(identity) },
    );
    if (response.body.kind !== 'single') throw new PeerUnavailableError('incremental responses are not supported');
    return response.body.singleResult;
  };
}

function remainingTimeHeader(): Record<string, string> {
  const deadline = currentDeadline();
  return deadline ? { [TIMEOUT_HEADER]: String(deadline.remaining()) } : {};
}

/**
 * Reaches subgraph `audience` over HTTP, signing the service identity like the gateway does:
 * for that subgraph and that body only.
 */
export function httpTransport(url: string, audience: string, internalSecret: string, timeoutMs = 5_000): PeerTransport {
  return async (document, variables, identity) => {
    const body = JSON.stringify({ query: document, variables });
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(await signIdentity(identity, { secret: internalSecret, audience, body })),
        // The asking request's remaining time goes along, so the peer stops when it does.
        ...remainingTimeHeader(),
      },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!response.ok && response.status !== 400) {
      throw new PeerUnavailableError(`${url} answered ${response.status}`);
    }
    return response.json();
  };
}
