import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { currentDeadline } from '@hub/db';
import { PUBLIC_IDENTITY, type Identity } from '@hub/common';
import { REQUEST_ID_HEADER, TIMEOUT_HEADER, injectTrace, signIdentity } from '@hub/server';
import type { GatewayContext } from './gateway-context.ts';
import { OutageAwareDataSource } from './subgraph-outage.ts';

/** Carries the caller from `willSendRequest` to the fetch, where the body is final; never sent. */
const UNSIGNED_IDENTITY_HEADER = 'x-hub-unsigned-identity';

/**
 * Routes to subgraph `audience` over HTTP, forwarding the caller's identity in a token for
 * that subgraph and the exact body sent. The token is made in the fetch itself: only there
 * is the body the bytes that go on the wire.
 */
export class SignedRemoteDataSource extends OutageAwareDataSource<GatewayContext> {
  constructor(url: string, audience: string, internalSecret: string) {
    super({ url });
    const send = this.fetcher;
    this.fetcher = async (target, init = {}) => {
      const { [UNSIGNED_IDENTITY_HEADER]: carried, ...headers } = (init.headers ?? {}) as Record<string, string>;
      const identity = carried ? (JSON.parse(carried) as Identity) : PUBLIC_IDENTITY;
      const signed = await signIdentity(identity, { secret: internalSecret, audience, body: init.body ?? '' });
      return send(target, { ...init, headers: { ...headers, ...signed } });
    };
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const identity = (context as Partial<GatewayContext>).identity ?? PUBLIC_IDENTITY;
    request.http?.headers.set(UNSIGNED_IDENTITY_HEADER, JSON.stringify(identity));
    // The subgraph stops its own work when the gateway's request runs out of time.
    const deadline = currentDeadline();
    if (deadline) request.http?.headers.set(TIMEOUT_HEADER, String(deadline.remaining()));
    // The subgraph's log lines about this fetch carry the gateway's request id.
    const requestId = (context as Partial<GatewayContext>).requestId;
    if (requestId) request.http?.headers.set(REQUEST_ID_HEADER, requestId);
    // And its spans continue the gateway's trace (traceparent), when tracing is on.
    injectTrace((name, value) => request.http?.headers.set(name, value));
  }
}
