import { execFileSync } from 'node:child_process';
import { REPOSITORY_ROOT } from '@hub/testkit';

/**
 * The tests that run `npm start` itself meet the compiled hub it runs: built here once, when
 * the sources changed since the last build, rather than by several of those tests at once.
 */
export default function setup(): void {
  execFileSync(process.execPath, ['scripts/build.mjs', '--if-stale'], { cwd: REPOSITORY_ROOT, stdio: 'inherit' });
}
