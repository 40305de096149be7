import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, get, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEVELOPMENT_SECRETS } from '@hub/server';
import { mintToken } from '@hub/gateway';
import { spawnHubProcess, type HubProcess } from '@hub/testkit';

/**
 * SIGTERM drains: the hub stops accepting connections, answers every request already in
 * flight, then closes its database and exits 0. Real processes, as an orchestrator runs them.
 */
const started: HubProcess[] = [];
const folder = mkdtempSync(join(tmpdir(), 'hub-drain-'));
afterAll(() => {
  for (const hub of started) hub.child.kill('SIGKILL');
  rmSync(folder, { recursive: true, force: true });
});

function startHubProcess(env: Record<string, string>): HubProcess {
  const hub = spawnHubProcess('gateway/src/main.ts', { PORT: '0', HOST: '127.0.0.1', DEMO_DATA: 'false', ...env });
  started.push(hub);
  return hub;
}

/** A GET on a kept-alive connection, so that it still reaches a hub that accepts no new ones. */
function getOn(agent: Agent, url: string): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    get(url, { agent }, (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) }));
    }).on('error', reject);
  });
}

describe('SIGTERM', () => {
  it('answers all 24 writes in flight, reports not ready while draining, exits 0, and the writes are there after a restart', async () => {
    const dataDir = join(folder, 'data');
    const hub = startHubProcess({ DATA_DIR: dataDir });
    const url = await hub.ready();
    const origin = new URL(url).origin;
    const token = await mintToken({
      secret: DEVELOPMENT_SECRETS.jwt,
      issuer: 'su-shaan-hub',
      audience: 'su-shaan-hub',
      role: 'SHAANXI_OFFICE',
      subject: 'drain-test-office',
      expiresIn: '10m',
    });

    // 24 writes whose bodies arrive in two parts: the hub has each request in hand, and the
    // test decides when they can finish, so they are surely in flight when the signal comes.
    const uploads = new Agent({ keepAlive: false, maxSockets: Infinity });
    const writes = Array.from({ length: 24 }, (_, index) => {
      const body = Buffer.from(
        JSON.stringify({
          query: 'mutation ($input: RaiseProjectNeedInput!) { raiseProjectNeed(input: $input) { id titleZh } }',
          variables: { input: { countyCode: '610924', titleZh: `停机-${index}`, field: 'LIVELIHOOD' } },
        }),
      );
      let finish = () => {};
      const answer = new Promise<{ status: number; body: any }>((resolve, reject) => {
        const sending = request(
          url,
          {
            method: 'POST',
            agent: uploads,
            headers: { 'content-type': 'application/json', 'content-length': body.length, authorization: `Bearer ${token}` },
          },
          (response) => {
            let text = '';
            response.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
            response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) }));
          },
        );
        sending.on('error', reject);
        sending.write(body.subarray(0, 20));
        finish = () => sending.end(body.subarray(20));
      });
      return { answer, finish: () => finish() };
    });
    // The hub is idle meanwhile, so this is ample time to accept the 24 connections.
    await new Promise((resolve) => setTimeout(resolve, 500));
    // A balancer's connection, open before the signal; readiness is asked on it again after.
    const balancer = new Agent({ keepAlive: true, maxSockets: 1 });
    expect((await getOn(balancer, `${origin}/readyz`)).status).toBe(200);

    hub.child.kill('SIGTERM');
    while (!hub.output().includes('is draining')) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await getOn(balancer, `${origin}/readyz`)).toEqual({ status: 503, body: { status: 'draining' } });
    // No new connection is accepted while draining.
    await expect(fetch(`${origin}/livez`)).rejects.toThrow();

    for (const write of writes) write.finish();
    const answers = await Promise.all(writes.map((write) => write.answer));
    for (const [index, answer] of answers.entries()) {
      expect(answer.status).toBe(200);
      expect(answer.body.errors).toBeUndefined();
      expect(answer.body.data.raiseProjectNeed.titleZh).toBe(`停机-${index}`);
    }
    expect(await hub.exited).toBe(0);
    expect(hub.output()).toContain('the hub stopped.');
    balancer.destroy();

    const again = startHubProcess({ DATA_DIR: dataDir });
    const response = await fetch(await again.ready(), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: '{ projectNeeds(filter: { countyCode: "610924" }, first: 100) { nodes { titleZh } } }' }),
    });
    const titles = ((await response.json()) as any).data.projectNeeds.nodes.map((node: { titleZh: string }) => node.titleZh);
    expect(titles.filter((title: string) => title.startsWith('停机-')).sort()).toEqual(
      Array.from({ length: 24 }, (_, index) => `停机-${index}`).sort(),
    );
    again.child.kill('SIGTERM');
    expect(await again.exited).toBe(0);
  }, 240_000);
});
