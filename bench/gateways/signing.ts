import { readFileSync } from 'node:fs';
import { PUBLIC_IDENTITY } from '@hub/common';
import { signIdentity } from '@hub/server';

/**
 * What every peer gateway in the benchmark shares: the supergraph it serves (with the bench's
 * subgraph URLs in it), the port, and how a subgraph request is signed so that the hub's
 * subgraph services run it. Every request goes out as an anonymous caller (PUBLIC), the one
 * identity the benchmark's read-only operations use.
 */
export interface PeerGatewaySettings {
  supergraphSdl: string;
  port: number;
  internalSecret: string;
  /** Subgraph URL → subgraph name, the audience its token names. */
  audienceByUrl: Map<string, string>;
}

export function peerGatewaySettings(env: NodeJS.ProcessEnv = process.env): PeerGatewaySettings {
  const supergraphPath = required(env, 'SUPERGRAPH_PATH');
  const supergraphSdl = readFileSync(supergraphPath, 'utf8');
  const audienceByUrl = new Map<string, string>();
  // join__graph(name: "shaanxi", url: "http://…/graphql")
  for (const match of supergraphSdl.matchAll(/@join__graph\(name: "([^"]+)", url: "([^"]+)"\)/g)) {
    audienceByUrl.set(match[2] as string, match[1] as string);
  }
  return { supergraphSdl, port: Number(required(env, 'PORT')), internalSecret: required(env, 'HUB_INTERNAL_SECRET'), audienceByUrl };
}

/** The `x-hub-identity` header for one subgraph request with this exact body. */
export function signPublic(settings: PeerGatewaySettings, url: string, body: string | Uint8Array): Promise<Record<string, string>> {
  const audience = settings.audienceByUrl.get(url);
  if (!audience) throw new Error(`no subgraph in the supergraph is served at ${url}`);
  return signIdentity(PUBLIC_IDENTITY, { secret: settings.internalSecret, audience, body });
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`${name} must be set`);
  return value;
}
