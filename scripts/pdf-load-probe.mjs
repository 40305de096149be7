#!/usr/bin/env node
// Measures how a running hub holds up while the printable package is asked for many times:
// a burst of GETs (each on a connection of its own, as an outside client sends them), with
// /livez sampled every 50 ms and one GraphQL query sent while the burst is served.
//
//   node scripts/pdf-load-probe.mjs [origin] [path] [burst size] [method]
//   node scripts/pdf-load-probe.mjs http://127.0.0.1:4000 /ceremonies/demo-2019-06-18-ankang/packages/1.pdf 60
//
// PROBE_TOKEN=<token> sends the package requests signed in (a package not yet signed is
// printed for its offices only): `PROBE_TOKEN=$(npm run -s token -- --role SHAANXI_OFFICE)`.
import { request } from 'node:http';

const origin = process.argv[2] ?? 'http://127.0.0.1:4000';
const path = process.argv[3] ?? '/ceremonies/demo-2019-06-18-ankang/packages/1.pdf';
const burst = Number(process.argv[4] ?? 60);
const method = process.argv[5] ?? 'GET';
const signedIn = process.env.PROBE_TOKEN ? { authorization: `Bearer ${process.env.PROBE_TOKEN}` } : {};

/** One request on its own connection: status, time taken and body size, or the socket error. */
function send(url, options = {}) {
  const started = performance.now();
  return new Promise((resolve) => {
    const sending = request(url, { method: options.method ?? 'GET', agent: false, headers: options.headers }, (response) => {
      let size = 0;
      let code;
      const chunks = [];
      response.on('data', (chunk) => {
        size += chunk.length;
        if (response.headers['content-type']?.startsWith('application/json')) chunks.push(chunk);
      });
      response.on('end', () => {
        try {
          const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          code = parsed.error?.code ?? parsed.errors?.[0]?.extensions?.code;
        } catch {
          // Not JSON: the PDF.
        }
        resolve({ status: response.statusCode, ms: performance.now() - started, size, code });
      });
    });
    sending.on('error', (error) => resolve({ status: error.code ?? error.message, ms: performance.now() - started, size: 0 }));
    sending.end(options.body);
  });
}

const round = (ms) => Math.round(ms);
const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN;
};

// Warm-up: one request alone, so that the first render's one-time costs are reported apart.
const first = await send(`${origin}${path}`, { method, headers: signedIn });
console.log(`one ${method} alone: ${first.status} in ${round(first.ms)} ms, ${first.size} bytes`);
const second = await send(`${origin}${path}`, { method, headers: signedIn });
console.log(`the next ${method} alone: ${second.status} in ${round(second.ms)} ms`);

const livez = [];
let sampling = true;
const sampler = (async () => {
  while (sampling) {
    livez.push((await send(`${origin}/livez`)).ms);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
})();

const started = performance.now();
const gets = Array.from({ length: burst }, () => send(`${origin}${path}`, { method, headers: signedIn }));
await new Promise((resolve) => setTimeout(resolve, 100));
const graphqlBody = Buffer.from(JSON.stringify({ query: '{ ceremony(id: "2017-12-28-xian") { id declaredProjectCount } }' }));
const graphql = send(`${origin}/graphql`, {
  method: 'POST',
  headers: { 'content-type': 'application/json', 'content-length': graphqlBody.length },
  body: graphqlBody,
});
const answers = await Promise.all(gets);
const burstMs = performance.now() - started;
const graphqlAnswer = await graphql;
sampling = false;
await sampler;

const byStatus = {};
for (const answer of answers) {
  const key = `${answer.status}${answer.code ? ` ${answer.code}` : ''}`;
  byStatus[key] = (byStatus[key] ?? 0) + 1;
}
const times = answers.map((answer) => answer.ms);
console.log(`${burst} concurrent ${method}s: all answered in ${round(burstMs)} ms; ${JSON.stringify(byStatus)}`);
console.log(`  each: median ${round(percentile(times, 50))} ms, p90 ${round(percentile(times, 90))} ms, max ${round(Math.max(...times))} ms`);
console.log(`GraphQL query sent 100 ms into the burst: ${graphqlAnswer.status} in ${round(graphqlAnswer.ms)} ms`);
console.log(`/livez during the burst (${livez.length} samples): median ${round(percentile(livez, 50))} ms, max ${round(Math.max(...livez))} ms`);
