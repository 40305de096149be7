import { useEffect, useState } from 'react';
import { Bar } from 'react-chartjs-2';
import { fontsFor } from '../../components/charts.ts';

/** Projects at each stage, as bars; the data table beside it carries the same figures for everyone. */
export function FunnelChart({ labels, counts, label, description }: { labels: string[]; counts: number[]; label: string; description: string }) {
  const [fontsReady, setFontsReady] = useState(false);
  const text = labels.join('') + label;
  useEffect(() => {
    let current = true;
    setFontsReady(false);
    void fontsFor(text).finally(() => {
      if (current) setFontsReady(true);
    });
    return () => {
      current = false;
    };
  }, [text]);
  return (
    <div className="chart">
      {fontsReady && (
        <Bar
          aria-label={description}
          data={{ labels, datasets: [{ label, data: counts, backgroundColor: '#0b5394' }] }}
          options={{
            indexAxis: 'y',
            responsive: true,
            maintainAspectRatio: false,
            plugins: { legend: { display: false } },
            scales: { x: { beginAtZero: true, ticks: { precision: 0 } } },
          }}
        />
      )}
    </div>
  );
}
