import { useEffect, useRef, type ReactNode } from 'react';
import { BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip, type ChartData, type ChartOptions } from 'chart.js';
import { Bar } from 'react-chartjs-2';
import { Money } from '../../components/Money.tsx';
import { ProvenanceBadge, type ProvenanceOf } from '../../components/ProvenanceBadge.tsx';
import { fill, formatCount, useLocale, useMessages } from '../../i18n.tsx';
import { fenOfYuan, groupYuan, sumYuan } from '../../money.ts';
import { messages } from './messages.ts';

Chart.register(CategoryScale, LinearScale, BarElement, Tooltip, Legend);
Chart.defaults.font.family = "'Noto Sans SC', system-ui, sans-serif";
Chart.defaults.color = '#55606e';

/** One row of a breakdown: its name, and the itemized figures the graph gives for it. */
export interface BreakdownRow {
  key: string;
  name: ReactNode;
  /** The name as plain text, for the chart's axis. */
  label: string;
  provenance?: ProvenanceOf;
  figures: { projectsSigned: number; committed: { yuan: string }; disbursed: { yuan: string } };
}

const COMMITTED = '#0b5394';
const DISBURSED = '#8fb3d9';

/** Yuan for the chart's bar heights only: every figure shown as text is the exact decimal string. */
const plotted = (yuan: string) => Number(fenOfYuan(yuan)) / 100;

/**
 * A breakdown as a Chart.js bar chart of money committed and disbursed, with the same figures
 * (and the projects signed) in the table under it: the canvas is an image with a name, the
 * table is what screen readers read.
 */
export function BreakdownFigure({ id, title, nameHeader, rows, horizontal = false }: { id: string; title: string; nameHeader: string; rows: BreakdownRow[]; horizontal?: boolean }) {
  const t = useMessages(messages);
  const { locale } = useLocale();
  const chart = useRef<Chart<'bar'> | null>(null);
  // The chart draws its labels once; redraw when the font's slices for them have arrived.
  useEffect(() => {
    let live = true;
    void document.fonts.ready.then(() => {
      if (live) chart.current?.update('none');
    });
    return () => {
      live = false;
    };
  }, [rows, locale]);

  const compact = new Intl.NumberFormat(locale === 'zh' ? 'zh-CN' : 'en', { notation: 'compact', maximumFractionDigits: 1 });
  const data: ChartData<'bar', number[], string> = {
    labels: rows.map((row) => row.label),
    datasets: [
      { label: t.committed, data: rows.map((row) => plotted(row.figures.committed.yuan)), backgroundColor: COMMITTED, borderRadius: 2, maxBarThickness: 28 },
      { label: t.disbursed, data: rows.map((row) => plotted(row.figures.disbursed.yuan)), backgroundColor: DISBURSED, borderRadius: 2, maxBarThickness: 28 },
    ],
  };
  const valueAxis = { beginAtZero: true, ticks: { callback: (value: string | number) => compact.format(Number(value)) }, grid: { color: '#e6eaf0' } };
  const labelAxis = { grid: { display: false }, ticks: { autoSkip: false } };
  const options: ChartOptions<'bar'> = {
    indexAxis: horizontal ? 'y' : 'x',
    responsive: true,
    maintainAspectRatio: false,
    animation: false,
    plugins: {
      legend: { position: 'top', align: 'end', labels: { boxWidth: 12, boxHeight: 12 } },
      tooltip: {
        callbacks: {
          // The exact amount, from the graph's string.
          label: (item) => {
            const row = rows[item.dataIndex]!;
            const yuan = item.datasetIndex === 0 ? row.figures.committed.yuan : row.figures.disbursed.yuan;
            return `${item.dataset.label}: ${locale === 'zh' ? `${groupYuan(yuan)} 元` : `¥${groupYuan(yuan)}`}`;
          },
        },
      },
    },
    scales: horizontal ? { x: valueAxis, y: labelAxis } : { x: labelAxis, y: valueAxis },
  };
  const height = horizontal ? Math.max(160, 56 + rows.length * 34) : 260;
  const withProvenance = rows.some((row) => row.provenance);

  return (
    <figure className="chart-card" data-testid={id} aria-labelledby={`${id}-title`}>
      <figcaption>
        <h3 id={`${id}-title`}>{title}</h3>
      </figcaption>
      {rows.length === 0 ? (
        <p className="muted">{t.nothing}</p>
      ) : (
        <>
          <div className="chart-box" style={{ height }}>
            <Bar ref={chart} data={data} options={options} role="img" aria-label={fill(t.chartName, { title })} data-testid={`${id}-chart`} />
          </div>
          <table className="table breakdown-table" data-testid={`${id}-table`}>
            <caption className="visually-hidden">{title}</caption>
            <thead>
              <tr>
                <th scope="col">{nameHeader}</th>
                <th scope="col" className="number">
                  {t.projectsSigned}
                </th>
                <th scope="col" className="number">
                  <span className="swatch" style={{ background: COMMITTED }} aria-hidden="true" />
                  {t.committed}
                </th>
                <th scope="col" className="number">
                  <span className="swatch" style={{ background: DISBURSED }} aria-hidden="true" />
                  {t.disbursed}
                </th>
                {withProvenance && <th scope="col">{t.provenance}</th>}
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.key} data-key={row.key}>
                  <th scope="row" className="row-name">
                    {row.name}
                  </th>
                  <td className="number" data-part="projects">
                    {formatCount(row.figures.projectsSigned, locale)}
                  </td>
                  <td className="number" data-part="committed">
                    <Money amount={row.figures.committed} />
                  </td>
                  <td className="number" data-part="disbursed">
                    <Money amount={row.figures.disbursed} />
                  </td>
                  {withProvenance && <td>{row.provenance && <ProvenanceBadge provenance={row.provenance} />}</td>}
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row">{t.total}</th>
                <td className="number" data-part="projects">
                  {formatCount(
                    rows.reduce((total, row) => total + row.figures.projectsSigned, 0),
                    locale,
                  )}
                </td>
                <td className="number" data-part="committed">
                  <Money amount={sumYuan(rows.map((row) => row.figures.committed))} />
                </td>
                <td className="number" data-part="disbursed">
                  <Money amount={sumYuan(rows.map((row) => row.figures.disbursed))} />
                </td>
                {withProvenance && <td />}
              </tr>
            </tfoot>
          </table>
        </>
      )}
    </figure>
  );
}
