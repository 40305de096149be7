import { describe, expect, it } from 'vitest';
import { spawnHubProcess } from '@hub/testkit';

/** `npm run token` speaks to a person: usage on --help, a plain message and exit 2 on a bad flag. */
describe('npm run token', () => {
  it('prints its usage for --help and exits 0', async () => {
    const cli = spawnHubProcess('gateway/src/token-cli.ts', {}, ['--help']);
    expect(await cli.exited).toBe(0);
    expect(cli.output()).toMatch(/^Usage: npm run token -- --role <role>/);
  });

  it('names an unknown flag, prints the usage and exits 2, without a stack trace', async () => {
    const cli = spawnHubProcess('gateway/src/token-cli.ts', {}, ['--rol', 'SHAANXI_OFFICE']);
    expect(await cli.exited).toBe(2);
    expect(cli.output()).toContain("Unknown option '--rol'");
    expect(cli.output()).toContain('Usage: npm run token');
    expect(cli.output()).not.toMatch(/^\s+at /m);
  });

  it('refuses a lifetime the hub would not accept, instead of printing a token it refuses', async () => {
    // MAX_TOKEN_AGE is a day by default: 30 days is past it, 23 hours within it.
    const tooLong = spawnHubProcess('gateway/src/token-cli.ts', {}, ['--role', 'SHAANXI_OFFICE', '--ttl', '30d']);
    expect(await tooLong.exited).toBe(1);
    expect(tooLong.output()).toContain('MAX_TOKEN_AGE');
    expect(tooLong.output()).not.toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/m);
    const withinIt = spawnHubProcess('gateway/src/token-cli.ts', {}, ['--role', 'SHAANXI_OFFICE', '--ttl', '23h']);
    expect(await withinIt.exited).toBe(0);
  });

  it('still prints a token for a valid role', async () => {
    const cli = spawnHubProcess('gateway/src/token-cli.ts', {}, ['--role', 'SHAANXI_OFFICE']);
    expect(await cli.exited).toBe(0);
    expect(cli.output().trim()).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
  });
});
