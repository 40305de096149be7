// The render thread's entry. The hub runs its TypeScript through tsx's loader, which a worker
// thread does not inherit in every host (a test runner's child process, for one): the loader
// is asked for here, so the thread starts the same way wherever the pool runs.
import { tsImport } from 'tsx/esm/api';

await tsImport('./render-worker.ts', import.meta.url);
