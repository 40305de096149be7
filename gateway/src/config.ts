import { fileURLToPath } from 'node:url';
import {
  DEFAULT_REQUEST_TIMEOUT_MS,
  DEFAULT_SHUTDOWN_GRACE_MS,
  DEFAULT_SIGNING_RETRY_MS,
  DEVELOPMENT_SECRETS,
  EnvReader,
  databaseConfigFor,
  internalSecretFrom,
  isProduction,
  logLevelFrom,
  metricsAccessFrom,
  type BackgroundSettings,
  type Concurrency,
  type LogLevel,
  type MetricsAccess,
  type DatabaseConfig,
} from '@hub/server';
import { MAX_DEMO_SCALE } from '@hub/demo';
import proxyaddr from 'proxy-addr';
import type { SeedOptions } from '@hub/server';
import { DEFAULT_MAX_TOKEN_AGE_SECONDS, type AuthConfig, type TokenKeyConfig } from './auth.ts';
import { DEFAULT_PUBLISHER, type OpenDataPublisher } from './exports/publisher.ts';
import type { OperationLimits } from './limits.ts';
import type { RateLimitConfig } from './rate-limit.ts';
import { SUBGRAPHS, SUPERGRAPH_FILE, type SubgraphName } from './subgraphs.ts';

export const TOPOLOGIES = ['all-in-one', 'distributed'] as const;
export type Topology = (typeof TOPOLOGIES)[number];

export const TRUSTED_DOCUMENTS_FILE = fileURLToPath(new URL('../trusted-documents.json', import.meta.url));

export interface RequestLimits extends OperationLimits {
  /** Most lexical tokens a document may have; longer ones are refused while parsing. */
  maxTokens: number;
  maxBodyBytes: number;
  timeoutMs: number;
}

export interface HubConfig {
  /** all-in-one: the subgraphs run in this process; distributed: routed over HTTP. */
  topology: Topology;
  host: string;
  port: number;
  /** The supergraph served; the committed gateway/supergraph.graphql unless SUPERGRAPH_PATH says otherwise. */
  supergraphPath: string;
  /** Each in-process subgraph's database (used in the all-in-one topology). */
  databases: Record<SubgraphName, DatabaseConfig>;
  production: boolean;
  /** Who may read /metrics: open in development, only with METRICS_TOKEN in production. */
  metrics: MetricsAccess;
  /** `LOG_LEVEL`: what the JSON log lines on stderr include (info: a line per request). */
  logLevel: LogLevel;
  auth: AuthConfig;
  /** Shared with the subgraphs: signs the identity forwarded to them. */
  internalSecret: string;
  limits: RequestLimits;
  /** The per-minute limits of `limits`, where they are counted (`REDIS_URL`) and under what prefix. */
  rateLimits: RateLimitConfig;
  /**
   * Proxies whose X-Forwarded-For is believed (`TRUSTED_PROXIES`: addresses, CIDR ranges, or
   * `loopback`, `linklocal`, `uniquelocal`); none: the socket's address is the client's.
   */
  trustedProxies: string[];
  trustedDocuments: { path: string; required: boolean };
  /** Load the synthetic demo pipeline (flagged SYNTHETIC_DEMO) beside the public record. */
  demoData: boolean;
  /** How many times the demo's 80 projects a first start loads (DEMO_SCALE, 1 to 10). */
  demoScale: number;
  /** Whether identical subgraph reads in flight are joined (DEDUPLICATE_READS; see in-flight-reads.ts). */
  deduplicateReads: boolean;
  /** Whether whole answers to queries are kept and given again while the data is unchanged (RESPONSE_CACHE; see response-cache.ts). */
  responseCache: boolean;
  /**
   * How many GraphQL requests run at once (MAX_RUNNING_REQUESTS; 0: as many as come) and how
   * many more wait their turn (MAX_WAITING_REQUESTS); see docs/decisions/0047-requests-take-turns.md.
   */
  concurrency: Concurrency | undefined;
  /** On SIGTERM, how long requests in flight may take to finish before their connections are cut. */
  shutdownGraceMs: number;
  /**
   * How far V8 lets the old generation grow past what the last full collection left, in
   * percent (HEAP_GROWING_PERCENT, V8's `--heap-growing-percent`; 0: V8's own sizing).
   * See docs/decisions/0040-heap-growing-factor.md.
   */
  heapGrowingPercent: number;
  /** The in-process subgraphs' background work: how often a pending signing is tried again, and for how long. */
  background: BackgroundSettings;
  /** Who publishes the IATI and 360Giving downloads, under which registered identifiers. */
  openData: OpenDataPublisher;
}

export const DEFAULT_LIMITS: RequestLimits = {
  maxDepth: 12,
  maxAliases: 30,
  maxCost: 10_000,
  maxTokens: 4_000,
  maxBodyBytes: 100_000,
  timeoutMs: DEFAULT_REQUEST_TIMEOUT_MS,
};

/**
 * The old generation may grow by half what the last full collection left before the next one
 * starts (a factor of 1.5); V8's own factor is up to 4 on a machine whose heap limit is 2 GB or more.
 */
export const DEFAULT_HEAP_GROWING_PERCENT = 50;

/** GraphQL requests run at once, and waiting beyond them: measured in docs/decisions/0047-requests-take-turns.md. */
export const DEFAULT_CONCURRENCY: Concurrency = { running: 2, waiting: 1_000 };

/** Requests a minute from one address, and from one signed-in identity. */
export const DEFAULT_RATE_LIMITS = { perAddressPerMinute: 600, perIdentityPerMinute: 1_200 };

/** Reads the gateway's configuration once, reporting every problem together. */
export function readHubConfig(env: NodeJS.ProcessEnv = process.env): HubConfig {
  const reader = new EnvReader(env);
  const production = isProduction(reader);
  const databases = Object.fromEntries(
    SUBGRAPHS.map(({ name }) => [name, databaseConfigFor(reader, name)]),
  ) as Record<SubgraphName, DatabaseConfig>;
  const topology = reader.oneOf('TOPOLOGY', TOPOLOGIES, 'all-in-one');
  const timeoutMs = reader.positiveInt('REQUEST_TIMEOUT_MS', DEFAULT_LIMITS.timeoutMs);
  const config: HubConfig = {
    topology,
    host: reader.text('HOST', '127.0.0.1'),
    port: reader.port('PORT', 4000),
    supergraphPath: reader.existingFile('SUPERGRAPH_PATH', SUPERGRAPH_FILE),
    databases,
    production,
    metrics: metricsAccessFrom(reader, production),
    logLevel: logLevelFrom(reader),
    auth: {
      issuer: reader.text('JWT_ISSUER', 'su-shaan-hub'),
      audience: reader.text('JWT_AUDIENCE', 'su-shaan-hub'),
      key: tokenKeyFrom(reader, production),
      maxTokenAgeSeconds: reader.positiveInt('MAX_TOKEN_AGE', DEFAULT_MAX_TOKEN_AGE_SECONDS),
    },
    // In-process subgraphs need no signature; only the distributed topology needs the secret.
    internalSecret: topology === 'distributed' ? internalSecretFrom(reader, production) : DEVELOPMENT_SECRETS.internal,
    limits: {
      maxDepth: reader.positiveInt('MAX_QUERY_DEPTH', DEFAULT_LIMITS.maxDepth),
      maxAliases: reader.positiveInt('MAX_ALIASES', DEFAULT_LIMITS.maxAliases),
      maxCost: reader.positiveInt('MAX_QUERY_COST', DEFAULT_LIMITS.maxCost),
      maxTokens: reader.positiveInt('MAX_QUERY_TOKENS', DEFAULT_LIMITS.maxTokens),
      maxBodyBytes: reader.positiveInt('MAX_BODY_BYTES', DEFAULT_LIMITS.maxBodyBytes),
      timeoutMs,
    },
    rateLimits: {
      perAddressPerMinute: reader.positiveInt('RATE_LIMIT_PER_ADDRESS', DEFAULT_RATE_LIMITS.perAddressPerMinute),
      perIdentityPerMinute: reader.positiveInt('RATE_LIMIT_PER_IDENTITY', DEFAULT_RATE_LIMITS.perIdentityPerMinute),
      redisUrl: redisUrlFrom(reader),
      keyPrefix: reader.text('RATE_LIMIT_KEY_PREFIX', 'hub-rate-limit'),
    },
    trustedProxies: trustedProxiesFrom(reader),
    trustedDocuments: {
      path: reader.existingFile('TRUSTED_DOCUMENTS_PATH', TRUSTED_DOCUMENTS_FILE),
      required: reader.flag('REQUIRE_TRUSTED_DOCUMENTS', false),
    },
    demoData: reader.flag('DEMO_DATA', true),
    demoScale: reader.wholeNumber('DEMO_SCALE', 1, MAX_DEMO_SCALE, 1),
    deduplicateReads: reader.flag('DEDUPLICATE_READS', true),
    responseCache: reader.flag('RESPONSE_CACHE', true),
    concurrency: concurrencyFrom(reader),
    shutdownGraceMs: reader.positiveInt('SHUTDOWN_GRACE_MS', DEFAULT_SHUTDOWN_GRACE_MS),
    heapGrowingPercent: reader.wholeNumber('HEAP_GROWING_PERCENT', 0, 300, DEFAULT_HEAP_GROWING_PERCENT),
    background: { retryMs: reader.positiveInt('SIGNING_RETRY_MS', DEFAULT_SIGNING_RETRY_MS), tryTimeoutMs: timeoutMs },
    openData: {
      ...DEFAULT_PUBLISHER,
      iatiOrgRef: reader.text('IATI_REPORTING_ORG_REF', DEFAULT_PUBLISHER.iatiOrgRef),
      giving360Prefix: reader.text('GIVING360_PREFIX', DEFAULT_PUBLISHER.giving360Prefix),
    },
  };
  reader.done();
  return config;
}

/** `MAX_RUNNING_REQUESTS` (0: no limit, nobody waits) and `MAX_WAITING_REQUESTS`. */
function concurrencyFrom(reader: EnvReader): Concurrency | undefined {
  const running = reader.wholeNumber('MAX_RUNNING_REQUESTS', 0, 10_000, DEFAULT_CONCURRENCY.running);
  const waiting = reader.wholeNumber('MAX_WAITING_REQUESTS', 0, 1_000_000, DEFAULT_CONCURRENCY.waiting);
  return running === 0 ? undefined : { running, waiting };
}

/** `REDIS_URL`, a redis:// or rediss:// URL. */
function redisUrlFrom(reader: EnvReader): string | undefined {
  const url = reader.optionalText('REDIS_URL');
  if (url !== undefined && !/^rediss?:\/\/[^\s]+$/.test(url)) {
    reader.problems.push(`REDIS_URL must be a redis:// or rediss:// URL; got "${url}".`);
    return undefined;
  }
  return url;
}

/** `TRUSTED_PROXIES`: comma-separated; each must be an address, a CIDR range or a named range. */
function trustedProxiesFrom(reader: EnvReader): string[] {
  const proxies = (reader.optionalText('TRUSTED_PROXIES') ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  try {
    proxyaddr.compile(proxies);
  } catch (error) {
    reader.problems.push(`TRUSTED_PROXIES must list addresses, CIDR ranges, loopback, linklocal or uniquelocal: ${(error as Error).message}.`);
    return [];
  }
  return proxies;
}

/** JWT_JWKS_FILE, JWT_PUBLIC_KEY_FILE (+ JWT_ALGORITHM) or JWT_SECRET; exactly one. */
function tokenKeyFrom(reader: EnvReader, production: boolean): TokenKeyConfig {
  const jwksFile = reader.optionalText('JWT_JWKS_FILE');
  const pemFile = reader.optionalText('JWT_PUBLIC_KEY_FILE');
  const secret = reader.optionalText('JWT_SECRET');
  const given = [jwksFile, pemFile, secret].filter((value) => value !== undefined).length;
  if (given > 1) reader.problems.push('Set only one of JWT_JWKS_FILE, JWT_PUBLIC_KEY_FILE and JWT_SECRET.');
  if (jwksFile) return { kind: 'jwks', jwksFile: reader.existingFile('JWT_JWKS_FILE', jwksFile) };
  if (pemFile) {
    return {
      kind: 'public-key',
      pemFile: reader.existingFile('JWT_PUBLIC_KEY_FILE', pemFile),
      algorithm: reader.oneOf('JWT_ALGORITHM', ['RS256', 'ES256', 'EdDSA', 'PS256'], 'RS256'),
    };
  }
  if (secret !== undefined && secret.length < 32) reader.problems.push('JWT_SECRET must be at least 32 characters.');
  if (secret === undefined && production) {
    reader.problems.push('Production needs a token key: JWT_JWKS_FILE, JWT_PUBLIC_KEY_FILE or JWT_SECRET.');
  }
  return { kind: 'secret', secret: secret ?? DEVELOPMENT_SECRETS.jwt };
}

/** What a start of the subgraphs loads, from the configuration. */
export function seedOptionsOf(config: Pick<HubConfig, 'demoData' | 'demoScale'>): SeedOptions {
  return { demo: config.demoData, demoScale: config.demoScale };
}
