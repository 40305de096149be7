import { BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from 'chart.js';

/**
 * Chart.js with the parts the console's charts use (registered once, so that the bundle holds
 * no more of it), drawing in the bundled Noto Sans SC: a canvas has no fallback of its own for
 * Chinese on a machine without a CJK font, so a chart waits for the glyphs it draws (`fontsFor`).
 */
Chart.register(BarElement, CategoryScale, LinearScale, Tooltip, Legend);
Chart.defaults.font.family = "'Noto Sans SC', system-ui, sans-serif";
Chart.defaults.color = '#1d2733';
Chart.defaults.animation = false;

/** Resolves once the bundled font's slices for these characters are loaded (at once when they are). */
export async function fontsFor(text: string): Promise<void> {
  await Promise.all(['400', '700'].map((weight) => document.fonts.load(`${weight} 12px 'Noto Sans SC'`, text)));
}
