import { execFileSync } from 'node:child_process';
import { REPOSITORY_ROOT } from '@hub/testkit';

/**
 * The tests that run `npm start` itself meet the compiled hub it runs: built here once, when
 * its inputs changed since the last good build, rather than by several of those tests at once.
 * A build that fails (a type error) fails those tests, through `npm start`, not the whole run.
 */
export default function setup(): void {
  try {
    execFileSync(process.execPath, ['scripts/build.mjs', '--if-stale'], { cwd: REPOSITORY_ROOT, stdio: 'inherit' });
  } catch {
    process.stderr.write('The compiled build failed (above): the tests that run `npm start` will fail with it.\n');
  }
}
