import { describe, expect, it } from 'vitest';
import { Deadline, DeadlineExceededError } from '@hub/db';
import type { PackageForPrint } from './package-document.ts';
import { PackagePrinter, PrinterBusyError } from './printer.ts';
import type { PdfRenderer } from './render-pool.ts';

/**
 * The printer's rules, on a renderer whose renders the test ends by hand: a bounded line, a
 * waiting render dropped at its deadline, signed packages kept (the most recent few) and the
 * rest never.
 */

class HandRenderer implements PdfRenderer {
  readonly started: { pkg: PackageForPrint; finish(): void; fail(error: Error): void }[] = [];
  constructor(readonly concurrency: number) {}

  render(pkg: PackageForPrint): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      this.started.push({ pkg, finish: () => resolve(Buffer.from(`pdf of ${pkg.ceremony.titleZh}`)), fail: reject });
    });
  }

  async close(): Promise<void> {}
}

function pkg(status: PackageForPrint['status'], titleZh: string, contentHash: string | null = 'cd'.repeat(32)): PackageForPrint {
  return {
    id: `pkg-${titleZh}`,
    version: 1,
    status,
    contentHash,
    finalizedAt: '2018-06-01T02:30:00.000Z',
    signedAt: status === 'SIGNED' ? '2018-06-18T02:00:00.000Z' : null,
    total: { yuan: '0.00' },
    provenance: { kind: 'ENTERED' },
    ceremony: { id: 'c', titleZh, titleEn: null, heldOn: '2018-06-18', cityNameZh: '安康市', venue: null, hosts: [], provenance: { kind: 'ENTERED' } },
    lines: [],
    checks: [],
  };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

// A guard broken here leaves a print waiting for ever: fail fast.
describe('the package printer', { timeout: 5_000 }, () => {
  it('runs as many renders as the renderer does, lets a few wait, and refuses the next', async () => {
    const renderer = new HandRenderer(2);
    const printer = new PackagePrinter(renderer, { rendersWaiting: 1 });
    const prints = [printer.print(pkg('FINAL', 'a')), printer.print(pkg('FINAL', 'b')), printer.print(pkg('FINAL', 'c'))];
    await expect(printer.print(pkg('FINAL', 'd'))).rejects.toBeInstanceOf(PrinterBusyError);
    expect(renderer.started.map((render) => render.pkg.ceremony.titleZh)).toEqual(['a', 'b']);
    renderer.started[0]!.finish();
    await turn();
    // The waiting one took the place that was freed, and no more than two run.
    expect(renderer.started.map((render) => render.pkg.ceremony.titleZh)).toEqual(['a', 'b', 'c']);
    renderer.started[1]!.finish();
    renderer.started[2]!.finish();
    expect((await Promise.all(prints)).map(String)).toEqual(['pdf of a', 'pdf of b', 'pdf of c']);
  });

  it('drops a waiting render once its deadline passes, and never renders it', async () => {
    const renderer = new HandRenderer(1);
    const printer = new PackagePrinter(renderer, { rendersWaiting: 1 });
    const running = printer.print(pkg('FINAL', 'a'));
    const late = printer.print(pkg('FINAL', 'b'), Deadline.after(30));
    await expect(late).rejects.toBeInstanceOf(DeadlineExceededError);
    // Its place in the line is free again.
    const next = printer.print(pkg('FINAL', 'c'));
    renderer.started[0]!.finish();
    await running;
    await turn();
    expect(renderer.started.map((render) => render.pkg.ceremony.titleZh)).toEqual(['a', 'c']);
    renderer.started[1]!.finish();
    expect((await next).toString()).toBe('pdf of c');
  });

  it('keeps the most recently printed signed packages, and never one not signed', async () => {
    const renderer = new HandRenderer(1);
    const printer = new PackagePrinter(renderer, { cachedPackages: 2 });
    const print = async (printed: PackageForPrint) => {
      const before = renderer.started.length;
      const pdf = printer.print(printed);
      await turn();
      if (renderer.started.length > before) renderer.started.at(-1)!.finish();
      await pdf;
      return renderer.started.length > before ? 'rendered' : 'kept';
    };
    expect(await print(pkg('SIGNED', 'a'))).toBe('rendered');
    expect(await print(pkg('SIGNED', 'b'))).toBe('rendered');
    expect(await print(pkg('SIGNED', 'a'))).toBe('kept');
    // A third one drops the least recently used: b, since a was just printed again.
    expect(await print(pkg('SIGNED', 'c'))).toBe('rendered');
    expect(await print(pkg('SIGNED', 'a'))).toBe('kept');
    expect(await print(pkg('SIGNED', 'b'))).toBe('rendered');
    expect(printer.printed(pkg('SIGNED', 'b'))).toBeDefined();
    // The same package, read with other data: another key.
    expect(printer.printed({ ...pkg('SIGNED', 'b'), total: { yuan: '1.00' } })).toBeUndefined();
    for (const status of ['FINAL', 'SIGNING', 'SUPERSEDED'] as const) {
      expect(await print(pkg(status, 'd'))).toBe('rendered');
      expect(await print(pkg(status, 'd'))).toBe('rendered');
      expect(printer.printed(pkg(status, 'd'))).toBeUndefined();
    }
  });

  it('shares one render among those asking for a signed package at once, and keeps nothing when it fails', async () => {
    const renderer = new HandRenderer(1);
    const printer = new PackagePrinter(renderer);
    const asked = [printer.print(pkg('SIGNED', 'a')), printer.print(pkg('SIGNED', 'a')), printer.print(pkg('SIGNED', 'a'))];
    await turn();
    expect(renderer.started).toHaveLength(1);
    renderer.started[0]!.fail(new Error('the thread failed'));
    for (const pdf of asked) await expect(pdf).rejects.toThrow('the thread failed');
    expect(printer.printed(pkg('SIGNED', 'a'))).toBeUndefined();
    const again = printer.print(pkg('SIGNED', 'a'));
    await turn();
    expect(renderer.started).toHaveLength(2);
    renderer.started[1]!.finish();
    expect((await again).toString()).toBe('pdf of a');
  });
});
