import { parseArgs } from 'node:util';
import { isRole } from '@hub/common';
import { ConfigError } from '@hub/server';
import { mintToken } from './auth.ts';
import { readHubConfig } from './config.ts';

/**
 * `npm run token -- --role SHAANXI_OFFICE --sub zhang.san` prints a token the hub accepts,
 * signed with JWT_SECRET (or the development secret). For local use and demos: production
 * tokens come from the identity provider whose key the gateway is given.
 */
const { values } = parseArgs({
  options: {
    role: { type: 'string' },
    sub: { type: 'string' },
    org: { type: 'string' },
    ttl: { type: 'string', default: '8h' },
  },
});

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
  console.log(token);
} catch (error) {
  console.error(error instanceof ConfigError || error instanceof Error ? error.message : error);
  process.exit(1);
}
