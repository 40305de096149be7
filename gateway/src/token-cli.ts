import { parseArgs } from 'node:util';
import { decodeJwt } from 'jose';
import { isRole } from '@hub/common';
import { ConfigError } from '@hub/server';
import { mintToken } from './auth.ts';
import { readHubConfig } from './config.ts';

/**
 * `npm run token -- --role SHAANXI_OFFICE --sub zhang.san` prints a token the hub accepts,
 * signed with JWT_SECRET (or the development secret). For local use and demos: production
 * tokens come from the identity provider whose key the gateway is given.
 */
const USAGE = `Usage: npm run token -- --role <role> [--sub <subject>] [--org <organization id>] [--ttl <duration>]

Prints a token the hub accepts, signed with JWT_SECRET (or the development secret).

  --role  FOUNDATION_MEMBER, SHAANXI_OFFICE or JIANGSU_OFFICE (the public needs no token)
  --sub   the token's subject, e.g. zhang.san (default: <role>-demo)
  --org   the organization a FOUNDATION_MEMBER acts for (required for that role)
  --ttl   how long the token lasts, e.g. 30m, 8h (default: 8h)
  --help  prints this text

Example: npm run token -- --role FOUNDATION_MEMBER --org js-demo-taihu-health`;

function parseArguments() {
  try {
    return parseArgs({
      options: {
        role: { type: 'string' },
        sub: { type: 'string' },
        org: { type: 'string' },
        ttl: { type: 'string', default: '8h' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }).values;
  } catch (error) {
    // An unknown flag or a flag without its value: say which, show the usage, exit 2 as CLIs do.
    console.error(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    process.exit(2);
  }
}

const values = parseArguments();
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}

try {
  const config = readHubConfig();
  if (config.auth.key.kind !== 'secret') throw new Error('npm run token signs with JWT_SECRET; the hub is set to verify with a public key.');
  const role = values.role?.toUpperCase();
  if (!isRole(role) || role === 'PUBLIC') {
    throw new Error('--role must be FOUNDATION_MEMBER, SHAANXI_OFFICE or JIANGSU_OFFICE (the public needs no token).');
  }
  if (role === 'FOUNDATION_MEMBER' && !values.org) throw new Error('A foundation member token needs --org <organization id>.');
  const token = await mintToken({
    secret: config.auth.key.secret,
    issuer: config.auth.issuer,
    audience: config.auth.audience,
    role,
    subject: values.sub ?? `${role.toLowerCase()}-demo`,
    organizationId: role === 'FOUNDATION_MEMBER' ? values.org : null,
    expiresIn: values.ttl,
  });
  // A token the hub would refuse is no use to anyone: say so instead of printing it.
  const { iat = 0, exp = 0 } = decodeJwt(token);
  if (exp - iat > config.auth.maxTokenAgeSeconds) {
    throw new Error(
      `--ttl ${values.ttl} is longer than the hub accepts: a token may last at most ${config.auth.maxTokenAgeSeconds} s (MAX_TOKEN_AGE).`,
    );
  }
  console.log(token);
} catch (error) {
  console.error(error instanceof ConfigError || error instanceof Error ? error.message : error);
  process.exit(1);
}
