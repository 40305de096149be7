import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { EmbeddedEngine } from '@hub/db';

/**
 * Configuration is read once at start-up from the environment and validated as a whole:
 * every problem is reported together, before anything starts.
 */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  }
}

export class EnvReader {
  readonly problems: string[] = [];

  constructor(private readonly env: NodeJS.ProcessEnv) {}

  text(name: string, fallback: string): string {
    const value = this.env[name];
    return value === undefined || value === '' ? fallback : value;
  }

  optionalText(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value === '' ? undefined : value;
  }

  port(name: string, fallback: number): number {
    const raw = this.env[name];
    if (raw === undefined || raw === '') return fallback;
    const port = Number(raw);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      this.problems.push(`${name} must be a port number from 0 to 65535; got "${raw}".`);
      return fallback;
    }
    return port;
  }

  positiveInt(name: string, fallback: number): number {
    const raw = this.env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isSafeInteger(value) || value <= 0) {
      this.problems.push(`${name} must be a whole number above 0; got "${raw}".`);
      return fallback;
    }
    return value;
  }

  /** A whole number from `min` to `max`. */
  wholeNumber(name: string, min: number, max: number, fallback: number): number {
    const raw = this.env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      this.problems.push(`${name} must be a whole number from ${min} to ${max}; got "${raw}".`);
      return fallback;
    }
    return value;
  }

  flag(name: string, fallback: boolean): boolean {
    const raw = this.env[name];
    if (raw === undefined || raw === '') return fallback;
    if (raw === 'true' || raw === '1') return true;
    if (raw === 'false' || raw === '0') return false;
    this.problems.push(`${name} must be true or false; got "${raw}".`);
    return fallback;
  }

  oneOf<T extends string>(name: string, values: readonly T[], fallback: T): T {
    const raw = this.env[name];
    if (raw === undefined || raw === '') return fallback;
    if (!(values as readonly string[]).includes(raw)) {
      this.problems.push(`${name} must be one of ${values.join(', ')}; got "${raw}".`);
      return fallback;
    }
    return raw as T;
  }

  postgresUrl(name: string): string | undefined {
    const raw = this.optionalText(name);
    if (raw === undefined) return undefined;
    try {
      const url = new URL(raw);
      if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
        this.problems.push(`${name} must be a postgres:// or postgresql:// URL; got the scheme "${url.protocol}".`);
      }
    } catch {
      this.problems.push(`${name} is not a URL.`);
    }
    return raw;
  }

  existingFile(name: string, fallback: string): string {
    const path = resolve(this.text(name, fallback));
    if (!existsSync(path)) this.problems.push(`${name} names ${path}, which does not exist.`);
    return path;
  }

  /** Throws a ConfigError with every problem found so far. */
  done(): void {
    if (this.problems.length > 0) throw new ConfigError(this.problems);
  }
}

export interface DatabaseConfig {
  /** Connection URL for this subgraph's database; none means the embedded database. */
  url: string | undefined;
  /** Folder the embedded database persists to. */
  dataDir: string;
  /** `EMBEDDED_DATABASE`: the hub's own Postgres server (default) or PGlite in the process. */
  embedded: EmbeddedEngine;
}

/** A subgraph's database: `<NAME>_DATABASE_URL`, else `DATABASE_URL`, else the embedded database under `DATA_DIR`. */
export function databaseConfigFor(reader: EnvReader, subgraph: string): DatabaseConfig {
  return {
    url: reader.postgresUrl(`${subgraph.toUpperCase()}_DATABASE_URL`) ?? reader.postgresUrl('DATABASE_URL'),
    dataDir: resolve(reader.text('DATA_DIR', '.data')),
    embedded: reader.oneOf('EMBEDDED_DATABASE', EMBEDDED_ENGINES, 'postgres'),
  };
}

const EMBEDDED_ENGINES: readonly EmbeddedEngine[] = ['postgres', 'pglite'];

/**
 * Secrets used when none is configured, outside production only, so that `npm start` and the
 * tests need no set-up. Production refuses to start without real ones.
 */
export const DEVELOPMENT_SECRETS = {
  internal: 'su-shaan-hub-development-internal-secret',
  jwt: 'su-shaan-hub-development-jwt-secret-not-for-production',
} as const;

/** The secret the gateway signs forwarded identities with (`HUB_INTERNAL_SECRET`). */
export function internalSecretFrom(reader: EnvReader, production: boolean): string {
  const secret = reader.optionalText('HUB_INTERNAL_SECRET');
  if (secret !== undefined && secret.length < 32) {
    reader.problems.push('HUB_INTERNAL_SECRET must be at least 32 characters.');
  }
  if (secret === undefined && production) {
    reader.problems.push('HUB_INTERNAL_SECRET must be set in production (the gateway and subgraphs share it).');
  }
  return secret ?? DEVELOPMENT_SECRETS.internal;
}

export function isProduction(reader: EnvReader): boolean {
  return reader.text('NODE_ENV', 'development') === 'production';
}

/** Where each subgraph listens in the distributed topology, unless configured otherwise. */
export const SUBGRAPH_PORTS = { shaanxi: 4101, jiangsu: 4102, pairing: 4103 } as const;
export type SubgraphName = keyof typeof SUBGRAPH_PORTS;
export const SUBGRAPH_NAMES = Object.keys(SUBGRAPH_PORTS) as SubgraphName[];

/** A subgraph's URL: `<NAME>_SUBGRAPH_URL`, or its default port on this machine. */
export function subgraphUrlFrom(env: NodeJS.ProcessEnv, name: SubgraphName): string {
  return env[`${name.toUpperCase()}_SUBGRAPH_URL`] || `http://127.0.0.1:${SUBGRAPH_PORTS[name]}/graphql`;
}
