import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/**
 * Noto Sans SC, installed from npm (@expo-google-fonts/noto-sans-sc, SIL Open Font License):
 * the whole font covers every Chinese character a name or title may hold, and the PDF embeds
 * only the glyphs a package uses, so a printed package stays a few tens of kilobytes.
 */
const FONT_FILES = {
  regular: '@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf',
  bold: '@expo-google-fonts/noto-sans-sc/700Bold/NotoSansSC_700Bold.ttf',
} as const;

export type FontWeight = keyof typeof FONT_FILES;

/** What pdfkit's `registerFont` takes besides a file's bytes: a font fontkit has opened. */
export interface ParsedFont {
  layout(text: string, features?: unknown): unknown;
}

const require = createRequire(import.meta.url);
// The fontkit pdfkit itself depends on, so that the object is the one pdfkit knows how to embed.
const fontkit = createRequire(require.resolve('pdfkit'))('fontkit') as { create(bytes: Uint8Array): ParsedFont };
const loaded = new Map<FontWeight, Buffer>();
const parsed = new Map<FontWeight, ParsedFont>();

/** The font file's bytes, read once per process (each file is about 10 MB). */
export function fontBytes(weight: FontWeight): Buffer {
  let bytes = loaded.get(weight);
  if (!bytes) {
    bytes = readFileSync(require.resolve(FONT_FILES[weight]));
    loaded.set(weight, bytes);
  }
  return bytes;
}

/**
 * The font opened once per thread and kept: handing pdfkit the bytes would have it parse the
 * 10 MB file again for every document, and lose the glyphs and layouts fontkit has cached.
 * Each document still takes its own subset of it.
 */
export function parsedFont(weight: FontWeight): ParsedFont {
  let font = parsed.get(weight);
  if (!font) {
    font = fontkit.create(fontBytes(weight));
    parsed.set(weight, font);
  }
  return font;
}
