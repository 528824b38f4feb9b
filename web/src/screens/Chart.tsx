/** Counts by status and the send rate over time, drawn with uPlot. */
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { MESSAGE_STATUSES, type Counts } from '../api/client.js';

/** One moment: the counts when polled (absent for moments rebuilt from sentAt times), sent so far, and messages sent per second. */
export interface ChartPoint {
  t: number;
  counts?: Counts;
  sent: number;
  rate: number | null;
}

const COLORS: Record<string, string> = { queued: '#8a6d00', sent: '#1a7f37', failed: '#c62828', expired: '#6d4c41', cancelled: '#555', rate: '#1f5fbf' };

function dataOf(points: ChartPoint[]): uPlot.AlignedData {
  return [
    points.map((point) => point.t),
    ...MESSAGE_STATUSES.map((status) => points.map((point) => (status === 'sent' ? point.sent : (point.counts?.[status] ?? null)))),
    points.map((point) => point.rate),
  ];
}

export function CountsChart({ points }: { points: ChartPoint[] }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  useEffect(() => {
    const element = box.current as HTMLDivElement;
    const options: uPlot.Options = {
      width: Math.max(280, element.clientWidth),
      height: 240,
      scales: { x: { time: true }, rate: { auto: true } },
      series: [
        {},
        ...MESSAGE_STATUSES.map((status) => ({ label: status, stroke: COLORS[status], width: 2, spanGaps: true })),
        { label: 'sent/s', stroke: COLORS.rate, width: 1, dash: [4, 4], scale: 'rate' },
      ],
      axes: [{}, { label: 'messages' }, { side: 1, scale: 'rate', label: 'per second', grid: { show: false } }],
      // The statuses' colours are the stacked bar's, whose legend is beside the chart; uPlot's own legend table would read as a data table without data.
      legend: { show: false },
    };
    plot.current = new uPlot(options, dataOf([]), element);
    const observer = new ResizeObserver(() => plot.current?.setSize({ width: Math.max(280, element.clientWidth), height: 240 }));
    observer.observe(element);
    return () => {
      observer.disconnect();
      plot.current?.destroy();
    };
  }, []);
  useEffect(() => {
    plot.current?.setData(dataOf(points));
  }, [points]);
  const last = points[points.length - 1];
  return (
    <figure class="chart">
      <div
        ref={box}
        role="img"
        aria-label={`Counts by status over time; ${points.length} points${last ? `, ${last.sent} sent` : ''}`}
        data-points={points.length}
      />
      <figcaption>Messages by status over time (solid) and messages sent per second (dashed, right axis).</figcaption>
    </figure>
  );
}
