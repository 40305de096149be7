import { startTracing, startupFailureMessage, stopOnSignals } from '@hub/server';
import { readHubConfig } from './config.ts';
import { startHub } from './hub.ts';

try {
  const config = readHubConfig();
  // Off unless an OTLP endpoint is configured (OTEL_EXPORTER_OTLP_ENDPOINT).
  const stopTracing = await startTracing('su-shaan-hub');
  const hub = await startHub(config);
  // Before the line that says it is ready: whoever acts on that line may stop it at once.
  stopOnSignals('the hub', async () => {
    await hub.stop();
    await stopTracing?.();
  });
  // Counted from the process's own start, as the person who typed the command experiences it
  // (module loading included), not from when this line's work began.
  console.log(`Su–Shaan pairing hub (${hub.topology}) ready at ${hub.url} ${Math.round(process.uptime() * 1000)} ms after the process started`);
} catch (error) {
  console.error(startupFailureMessage(error));
  process.exit(1);
}
