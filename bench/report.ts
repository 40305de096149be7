import type { LoadResult } from './load.ts';
import type { Operation } from './operations.ts';
import { SYSTEMS, isPeer, type SystemName } from './systems.ts';

/** Every round's result for one operation, system and connection count. */
export class Measurements {
  private readonly results = new Map<string, LoadResult[]>();

  add(operation: string, system: SystemName, connections: number, result: LoadResult): void {
    const key = keyOf(operation, system, connections);
    this.results.set(key, [...(this.results.get(key) ?? []), result]);
  }

  /** The rounds together: mean RPS (and its range), mean p50 and p99, all failures. */
  summary(operation: string, system: SystemName, connections: number): Summary | undefined {
    const rounds = this.results.get(keyOf(operation, system, connections));
    if (!rounds || rounds.length === 0) return undefined;
    const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
    const rps = rounds.map((round) => round.rps);
    return {
      rps: mean(rps),
      rpsMin: Math.min(...rps),
      rpsMax: Math.max(...rps),
      p50: mean(rounds.map((round) => round.p50)),
      p99: mean(rounds.map((round) => round.p99)),
      requests: rounds.reduce((sum, round) => sum + round.requests, 0),
      failures: rounds.reduce((sum, round) => sum + round.failures, 0),
    };
  }
}

export interface Summary {
  rps: number;
  rpsMin: number;
  rpsMax: number;
  p50: number;
  p99: number;
  requests: number;
  failures: number;
}

function keyOf(operation: string, system: SystemName, connections: number): string {
  return `${operation}|${system}|${connections}`;
}

/** The figures as a plain-text table, one block per operation, with hub ÷ fastest peer. */
export function resultsTable(measurements: Measurements, operations: Operation[], systems: SystemName[], connections: number[]): string {
  const header = ['operation', 'conns', 'system', 'RPS', 'RPS range', 'p50 ms', 'p99 ms', 'failed'];
  const rows: string[][] = [];
  const ratios: string[][] = [];
  for (const operation of operations) {
    for (const count of connections) {
      for (const system of systems) {
        const summary = measurements.summary(operation.name, system, count);
        if (!summary) continue;
        rows.push([
          operation.name,
          String(count),
          system,
          summary.rps.toFixed(0),
          `${summary.rpsMin.toFixed(0)}–${summary.rpsMax.toFixed(0)}`,
          summary.p50.toFixed(0),
          summary.p99.toFixed(0),
          String(summary.failures),
        ]);
      }
      const ratio = hubToFastestPeer(measurements, operation.name, systems, count);
      if (ratio) {
        rows.push([operation.name, String(count), 'hub ÷ fastest peer', ratio.rps, '', ratio.p50, ratio.p99, `(${ratio.peer})`]);
        ratios.push([operation.name, String(count), ratio.rps, ratio.peer]);
      }
    }
  }
  let text = table(header, rows);
  if (ratios.length > 0) {
    text += `\n\nhub ÷ fastest peer: RPS (above 1: the hub serves more); p50 and p99 (below 1: the hub answers sooner)\n`;
    text += table(['operation', 'conns', 'hub RPS ÷ peer RPS', 'fastest peer'], ratios);
  }
  return text;
}

function hubToFastestPeer(measurements: Measurements, operation: string, systems: SystemName[], connections: number) {
  const hub = systems.includes('hub') ? measurements.summary(operation, 'hub', connections) : undefined;
  if (!hub) return undefined;
  let fastest: { system: SystemName; summary: Summary } | undefined;
  for (const system of systems) {
    // The hub's variants and the engines alone are no peers.
    if (!isPeer(system)) continue;
    const summary = measurements.summary(operation, system, connections);
    if (summary && (!fastest || summary.rps > fastest.summary.rps)) fastest = { system, summary };
  }
  if (!fastest) return undefined;
  return {
    peer: fastest.system,
    // No peer finished a request in the time given: there is nothing to divide by.
    rps: fastest.summary.rps > 0 ? (hub.rps / fastest.summary.rps).toFixed(2) : 'no peer answered',
    p50: fastest.summary.p50 > 0 ? (hub.p50 / fastest.summary.p50).toFixed(2) : '–',
    p99: fastest.summary.p99 > 0 ? (hub.p99 / fastest.summary.p99).toFixed(2) : '–',
  };
}

export function systemLegend(systems: SystemName[]): string {
  return systems.map((system) => `  ${system.padEnd(11)} ${SYSTEMS[system]}`).join('\n');
}

export function table(header: string[], rows: string[][]): string {
  const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column] as number)).join('  ').trimEnd();
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}

export function megabytes(bytes: number | null): string {
  return bytes === null ? 'ended' : `${(bytes / 1024 / 1024).toFixed(0)} MB`;
}
