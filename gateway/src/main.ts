import { ConfigError } from '@hub/server';
import { readHubConfig } from './config.ts';
import { startHub } from './hub.ts';

try {
  const config = readHubConfig();
  const started = Date.now();
  const hub = await startHub(config);
  console.log(`Su–Shaan pairing hub (${hub.topology}) ready at ${hub.url} in ${Date.now() - started} ms`);
  const stop = () => {
    hub.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
}
