import { ErrorCode, serviceIdentity, type Identity } from '@hub/common';
import { GraphQLError } from 'graphql';
import type { RunningSubgraph } from './subgraph.ts';
import { signIdentity } from './trust.ts';
import { currentDeadline } from '@hub/db';
import { processLog } from './logger.ts';
import { TIMEOUT_HEADER } from './deadline.ts';

/**
 * How a subgraph asks another for data it owns, when a rule spans two subgraphs (a Jiangsu
 * commitment needs the project's stage from the pairing) or asks it to record a change that
 * follows from its own (the pairing publishing a need in Shaanxi). It sends an ordinary
 * GraphQL operation — an `_entities` query as the gateway would, or a mutation — under a
 * SERVICE identity.
 *
 * What the caller of the hub reads when a peer fails: the peer's own domain error (code and
 * details) when it answered with one, as if the asking subgraph had refused; otherwise
 * SUBGRAPH_UNAVAILABLE naming the peer, with `changeMade: 'NO'`, since every rule asks its
 * peers before the asking mutation writes anything. The cause goes to the log, not the caller.
 */
export interface Peers {
  query<TData>(subgraph: string, document: string, variables: Record<string, unknown>): Promise<TData>;
}

export type PeerTransport = (document: string, variables: Record<string, unknown>, identity: Identity) => Promise<unknown>;

/**
 * A peer that gave no usable answer: unreachable, or failed without a domain code. A
 * GraphQLError with a stable code, so that the gateway shows it instead of masking it.
 * `delivered` is false only when the request certainly never reached the peer.
 */
export class PeerUnavailableError extends GraphQLError {
  readonly subgraph: string | null;
  readonly delivered: boolean;
  /** The peer answered, with a failure of its own: what it began was rolled back. */
  readonly answered: boolean;

  constructor(
    message: string,
    options: { subgraph?: string; delivered?: boolean; answered?: boolean; changeMade?: 'NO' | 'UNKNOWN'; cause?: unknown } = {},
  ) {
    super(message, {
      extensions: {
        code: ErrorCode.SubgraphUnavailable,
        ...(options.subgraph ? { subgraph: options.subgraph } : {}),
        changeMade: options.changeMade ?? 'NO',
      },
      ...(options.cause instanceof Error ? { originalError: options.cause } : {}),
    });
    this.name = 'PeerUnavailableError';
    this.subgraph = options.subgraph ?? null;
    this.delivered = options.delivered ?? true;
    this.answered = options.answered ?? false;
  }
}

/** A transport failure before any answer: the peer is down, refused or timed out. */
export class PeerUnreachable extends Error {
  constructor(
    readonly reason: string,
    readonly delivered: boolean,
  ) {
    super(`peer unreachable: ${reason}`);
    this.name = 'PeerUnreachable';
  }
}

/** Codes a peer's answer may carry to the caller as they are: the hub's domain codes. */
const DOMAIN_CODES = new Set<string>(Object.values(ErrorCode).filter((code) => code !== ErrorCode.Internal));

/** Socket errors raised before a connection exists: nothing of the request was sent. */
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

function logPeerFailure({ message, ...entry }: Record<string, unknown> & { message: string }): void {
  processLog().error({ code: ErrorCode.SubgraphUnavailable, ...entry }, message);
}

function unavailable(self: string, subgraph: string, how: { delivered: boolean; answered: boolean }, cause: string): PeerUnavailableError {
  logPeerFailure({ subgraph, askedBy: self, ...how, message: cause });
  return new PeerUnavailableError(`The ${subgraph} subgraph cannot be reached or could not answer; this change was not made.`, {
    subgraph,
    ...how,
  });
}

/** Whether a document sent between the gateway and the subgraphs, or between subgraphs, is a mutation: one that may write. */
export function isMutationDocument(document: string): boolean {
  return MUTATION.test(document);
}

const MUTATION = /^\s*mutation\b/;

/**
 * A peer's mutation that answered with data committed for this request, in another subgraph
 * (one sent with no answer may have): from then on the request's outcome is decided, so its
 * time limit no longer stops its work — its own write, or taking the peer's change back — and
 * the answer tells what happened rather than TIMEOUT, "rolled back" (see `Deadline`).
 */
function markCommitted(): void {
  const deadline = currentDeadline();
  if (deadline) deadline.committed = true;
}

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
        if (!transport) {
          throw unavailable(self, subgraph, { delivered: false, answered: false }, `subgraph ${subgraph} is not registered with ${self}`);
        }
        const writes = isMutationDocument(document);
        let result: { data?: TData | null; errors?: { message: string; extensions?: Record<string, unknown> }[] };
        try {
          result = (await transport(document, variables, serviceIdentity(self))) as typeof result;
        } catch (error) {
          if (error instanceof PeerUnreachable) {
            if (writes && error.delivered) markCommitted();
            throw unavailable(self, subgraph, { delivered: error.delivered, answered: false }, error.reason);
          }
          throw error;
        }
        if (writes && !result.errors?.length && result.data) markCommitted();
        const domain = result.errors?.find((error) => DOMAIN_CODES.has(String(error.extensions?.code)));
        if (domain) {
          const { stacktrace: _stacktrace, ...extensions } = domain.extensions ?? {};
          throw new GraphQLError(domain.message, { extensions });
        }
        if (result.errors?.length) {
          // The peer failed inside and rolled its statement back; what failed is for the operators.
          const messages = result.errors.map((error) => error.message).join('; ');
          throw unavailable(self, subgraph, { delivered: true, answered: true }, `answered: ${messages}`);
        }
        if (!result.data) throw unavailable(self, subgraph, { delivered: true, answered: true }, 'answered without data');
        return result.data;
      },
    };
  }
}

/** Reaches a subgraph running in this process, answered as its own Apollo Server answers (`RunningSubgraph.execute`). */
export function inProcessTransport(subgraph: RunningSubgraph<object>): PeerTransport {
  return (document, variables, identity) => subgraph.execute({ query: document, variables }, subgraph.createContext(identity));
}

/** Once the request has committed, the peer works to the end too, under its own limit. */
function remainingTimeHeader(): Record<string, string> {
  const deadline = currentDeadline();
  return deadline && !deadline.committed ? { [TIMEOUT_HEADER]: String(deadline.remaining()) } : {};
}

/**
 * Reaches subgraph `audience` over HTTP, signing the service identity like the gateway does:
 * for that subgraph and that body only.
 */
export function httpTransport(url: string, audience: string, internalSecret: string, timeoutMs = 5_000): PeerTransport {
  return async (document, variables, identity) => {
    const body = JSON.stringify({ query: document, variables });
    let response: Response;
    try {
      response = await fetch(url, {
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
    } catch (error) {
      const code = (error as { cause?: { code?: unknown } }).cause?.code;
      const connected = typeof code !== 'string' || !NOT_CONNECTED.has(code);
      throw new PeerUnreachable(`${url}: ${describeFailure(error)}`, connected);
    }
    if (!response.ok && response.status !== 400) {
      throw new PeerUnreachable(`${url} answered ${response.status}`, true);
    }
    try {
      return await response.json();
    } catch (error) {
      throw new PeerUnreachable(`${url} answered a body that is not a GraphQL response: ${describeFailure(error)}`, true);
    }
  };
}

function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { cause?: { code?: unknown } }).cause?.code;
  return typeof code === 'string' ? `${error.name} ${code}: ${error.message}` : `${error.name}: ${error.message}`;
}
