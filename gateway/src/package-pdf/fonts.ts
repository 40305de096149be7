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

const require = createRequire(import.meta.url);
const loaded = new Map<FontWeight, Buffer>();

/** The font file's bytes, read once per process (each file is about 10 MB). */
export function fontBytes(weight: FontWeight): Buffer {
  let bytes = loaded.get(weight);
  if (!bytes) {
    bytes = readFileSync(require.resolve(FONT_FILES[weight]));
    loaded.set(weight, bytes);
  }
  return bytes;
}
