import { setFlagsFromString } from 'node:v8';
import { createLogger, exitAfterLog, processLog, startTracing, startupFailureMessage, stopOnSignals, makeProcessLog } from '@hub/server';
import { readHubConfig } from './config.ts';
import { startHub } from './hub.ts';

try {
  const config = readHubConfig();
  // Read by V8 at each full collection, so it holds from here on (decisions 0037 and 0040): the old
  // generation grows by its live size between full collections, not by up to three times more.
  if (config.heapGrowingPercent > 0) setFlagsFromString(`--heap-growing-percent=${config.heapGrowingPercent}`);
  // Every line of the process is JSON: requests' at the level configured, the process's own
  // (ready, draining, stopped, background work) at info at least.
  const logger = createLogger({ level: config.logLevel });
  makeProcessLog(config.logLevel, 'hub');
  // Off unless an OTLP endpoint is configured (OTEL_EXPORTER_OTLP_ENDPOINT).
  const stopTracing = await startTracing('su-shaan-hub');
  const hub = await startHub(config, { logger });
  // Before the line that says it is ready: whoever acts on that line may stop it at once.
  stopOnSignals('the hub', async () => {
    await hub.stop();
    await stopTracing?.();
  });
  // Counted from the process's own start, as the person who typed the command experiences it
  // (module loading included), not from when this line's work began.
  const readyMs = Math.round(process.uptime() * 1000);
  processLog().info({ url: hub.url, topology: hub.topology, readyMs }, `Su–Shaan pairing hub (${hub.topology}) ready at ${hub.url} ${readyMs} ms after the process started`);
} catch (error) {
  exitAfterLog(1, 'fatal', {}, startupFailureMessage(error));
}
