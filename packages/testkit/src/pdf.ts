/** What a reader of a PDF finds in it: the text of each page, as a text extractor reads it back. */
export interface PdfContent {
  /** Each page's text, its runs joined in the order they were written, a line break where a line ends. */
  pages: string[];
  /** Every page's text, one after the other. */
  text: string;
  /** The embedded fonts' names (`/BaseFont`), e.g. "ABCDEF+NotoSansSC-Regular" for a subset. */
  fontNames: string[];
}

/**
 * Reads a PDF back with pdf.js, the way a viewer extracts its text (through each font's
 * ToUnicode map), so a test checks what a reader would copy out of it, not what the writer
 * meant to write.
 */
export async function readPdf(bytes: Uint8Array): Promise<PdfContent> {
  // The legacy build carries the polyfills Node 20 needs; loaded only by the tests that read PDFs.
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const document = await pdfjs.getDocument({ data: new Uint8Array(bytes), disableFontFace: true, useSystemFonts: false, verbosity: 0 }).promise;
  try {
    const pages: string[] = [];
    for (let number = 1; number <= document.numPages; number++) {
      const page = await document.getPage(number);
      const content = await page.getTextContent();
      pages.push(content.items.map((item) => ('str' in item ? item.str + (item.hasEOL ? '\n' : '') : '')).join(''));
    }
    const fontNames = [...Buffer.from(bytes).toString('latin1').matchAll(/\/BaseFont\s*\/([^\s/<>[\]()]+)/g)].map((match) => match[1]!);
    return { pages, text: pages.join('\n'), fontNames: [...new Set(fontNames)] };
  } finally {
    await document.destroy();
  }
}
