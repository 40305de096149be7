import { afterEach, describe, expect, it } from 'vitest';
import type { PackageForPrint, PrintedLine } from './package-document.ts';
import { renderPackagePdf } from './render.ts';
import { PdfWorkerPool } from './render-pool.ts';

/**
 * The render threads: a package printed on one is the PDF this thread would print, the event
 * loop keeps turning while it is printed, and the threads end with the pool.
 */

function line(position: number): PrintedLine {
  return {
    position,
    amount: { yuan: '100000.00' },
    project: { id: `p-${position}`, titleZh: `项目${position}号：紫阳县乡村学校图书室`, provenance: { kind: 'ENTERED' } },
    county: { code: '610924', nameZh: '紫阳县' },
    shaanxiSignatory: { id: 'sx-1', nameZh: '紫阳县茶乡妇女互助协会', provenance: { kind: 'ENTERED' } },
    jiangsuOrganization: { id: 'js-1', nameZh: '常州市龙城慈善助学基金会', provenance: { kind: 'ENTERED' } },
  };
}

function pkg(lineCount: number, titleZh = '苏陕社会组织结对帮扶安康专场签约仪式'): PackageForPrint {
  return {
    id: `pkg-${lineCount}`,
    version: 1,
    status: 'FINAL',
    contentHash: 'ab'.repeat(32),
    finalizedAt: '2018-06-01T02:30:00.000Z',
    signedAt: null,
    // 100,000.00 yuan a line.
    total: { yuan: `${lineCount * 100_000}.00` },
    provenance: { kind: 'ENTERED' },
    ceremony: {
      id: '2018-06-18-ankang',
      titleZh,
      titleEn: null,
      heldOn: '2018-06-18',
      cityNameZh: '安康市',
      venue: null,
      hosts: [],
      provenance: { kind: 'ENTERED' },
    },
    lines: Array.from({ length: lineCount }, (_, index) => line(index + 1)),
    checks: [{ kind: 'NOT_EMPTY', line: null, passed: true, code: null }],
  };
}

describe('the PDF render threads', () => {
  let pool: PdfWorkerPool | undefined;
  afterEach(async () => {
    await pool?.close();
    pool = undefined;
  });

  it('print on a thread the bytes this thread prints, render after render, with the thread and its fonts kept', async () => {
    pool = new PdfWorkerPool(1);
    const first = await pool.render(pkg(3));
    const other = await pool.render(pkg(3, '另一场签约仪式'));
    const again = await pool.render(pkg(3));
    expect(first.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(other.equals(first)).toBe(false);
    expect(again.equals(first)).toBe(true);
    expect(first.equals(await renderPackagePdf(pkg(3)))).toBe(true);
    expect(pool.threads).toBe(1);
  });

  it('keep the event loop turning while a long package is printed', async () => {
    pool = new PdfWorkerPool(1);
    await pool.render(pkg(1));
    // Turns of a 5 ms timer: printed on this thread, no turn would come for the whole render.
    let last = performance.now();
    let longestGap = 0;
    const ticker = setInterval(() => {
      const now = performance.now();
      longestGap = Math.max(longestGap, now - last);
      last = now;
    }, 5);
    const started = performance.now();
    const pdf = await pool.render(pkg(400));
    const renderMs = performance.now() - started;
    clearInterval(ticker);
    // The wait since the last turn counts too: a render that held the loop throughout left no turn at all.
    longestGap = Math.max(longestGap, performance.now() - last);
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(renderMs).toBeGreaterThan(100);
    expect(longestGap).toBeLessThan(renderMs / 2);
  });

  it('refuse a render that fails and go on printing', async () => {
    pool = new PdfWorkerPool(1);
    const broken = { ...pkg(2), lines: null } as unknown as PackageForPrint;
    await expect(pool.render(broken)).rejects.toThrow(/rendering the package failed/);
    expect((await pool.render(pkg(2))).subarray(0, 5).toString('latin1')).toBe('%PDF-');
  });

  it('run no more threads than their number, and end them, refusing what they had, when closed', async () => {
    pool = new PdfWorkerPool(1);
    const renders = [pool.render(pkg(5)), pool.render(pkg(6)), pool.render(pkg(7))];
    for (const render of renders) render.catch(() => {});
    expect(pool.threads).toBe(1);
    await pool.close();
    for (const render of renders) await expect(render).rejects.toThrow(/stopped/);
    expect(pool.threads).toBe(0);
    await expect(pool.render(pkg(1))).rejects.toThrow(/stopped/);
  });
});
