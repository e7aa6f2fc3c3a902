import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import { formatTime } from '../lib/format.js';
import type { Marker } from '../lib/markers.js';
import { assignLanes, markerWidth, positionPercent } from '../lib/markers.js';
import type { Aligned } from '../lib/series.js';

export const COLORS = {
  good: '#1a7f37',
  goodFill: 'rgba(26, 127, 55, 0.18)',
  bad: '#cf222e',
  badFill: 'rgba(207, 34, 46, 0.18)',
  line: '#0969da',
  reference: '#57606a',
  page: '#cf222e',
  ticket: '#9a6700',
  deploy: '#8250df',
  warning: '#bc4c00',
  grid: '#d0d7de',
  corrected: 'rgba(87, 96, 106, 0.16)',
  text: '#1f2328',
};

export interface ChartProps {
  /** Used for element ids and by the tests. */
  id: string;
  title: string;
  /** One line: the question this chart answers. */
  caption: string;
  /** What the chart shows in words, for screen readers. */
  summary: string;
  data: Aligned;
  series: uPlot.Series[];
  yRange: [number, number];
  yFormat: (value: number) => string;
  from: number;
  to: number;
  markers?: Marker[];
  /** Time ranges (epoch seconds) drawn as grey bands: budget corrections, left out of every number. */
  bands?: { from: number; to: number }[];
  /** false: draw the markers' lines only (small charts), their buttons are under the big charts. */
  markerButtons?: boolean;
  height?: number;
  headingLevel?: 2 | 3;
}

/** A uPlot chart in a figure with its title, its caption and its markers (deploys, folded warnings). */
export function Chart(props: ChartProps) {
  const target = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const markersRef = useRef<Marker[]>(props.markers ?? []);
  markersRef.current = props.markers ?? [];
  const bandsRef = useRef(props.bands ?? []);
  bandsRef.current = props.bands ?? [];
  const [plotBox, setPlotBox] = useState<{ left: number; width: number } | null>(null);

  useEffect(() => {
    const element = target.current!;
    const syncBox = (u: uPlot) =>
      setPlotBox({ left: u.bbox.left / uPlot.pxRatio, width: u.bbox.width / uPlot.pxRatio });
    const options: uPlot.Options = {
      width: Math.max(element.clientWidth, 200),
      height: props.height ?? 220,
      series: [{ value: (_u, v) => (v === null ? '—' : formatTime(v)) }, ...props.series],
      scales: {
        x: { time: true, range: () => [props.from, props.to] },
        y: { range: () => props.yRange },
      },
      axes: [
        { stroke: COLORS.text, grid: { stroke: COLORS.grid, width: 1 }, ticks: { stroke: COLORS.grid } },
        {
          stroke: COLORS.text,
          grid: { stroke: COLORS.grid, width: 1 },
          ticks: { stroke: COLORS.grid },
          size: 64,
          values: (_u, splits) => splits.map((v) => props.yFormat(v)),
        },
      ],
      cursor: { sync: { key: 'slo-charts' }, drag: { x: false, y: false } },
      legend: { live: true },
      hooks: {
        ready: [syncBox],
        setSize: [syncBox],
        draw: [(u) => drawBands(u, bandsRef.current), (u) => drawMarkers(u, markersRef.current)],
      },
    };
    const u = new uPlot(options, props.data as uPlot.AlignedData, element);
    plot.current = u;
    const observer = new ResizeObserver(() => {
      const width = Math.max(element.clientWidth, 200);
      if (width !== u.width) u.setSize({ width, height: props.height ?? 220 });
    });
    observer.observe(element);
    return () => {
      observer.disconnect();
      u.destroy();
      plot.current = null;
    };
  }, [props.data, props.series, props.from, props.to, props.yRange[0], props.yRange[1]]);

  useEffect(() => plot.current?.redraw(false), [props.markers]);

  const Heading = props.headingLevel === 3 ? 'h3' : 'h2';
  const markers = props.markers ?? [];
  return (
    <figure
      class="chart"
      id={props.id}
      data-testid={`chart-${props.id}`}
      aria-labelledby={`${props.id}-title`}
    >
      <Heading id={`${props.id}-title`} class="chart-title">
        {props.title}
      </Heading>
      <figcaption class="chart-caption">{props.caption}</figcaption>
      <div class="chart-canvas" ref={target} role="img" aria-label={props.summary} />
      {markers.length > 0 && plotBox && props.markerButtons !== false && (
        <MarkerStrip
          markers={markers}
          from={props.from}
          to={props.to}
          left={plotBox.left}
          width={plotBox.width}
        />
      )}
    </figure>
  );
}

/** Height of one row of marker buttons. */
const LANE_REM = 1.45;

function drawBands(u: uPlot, bands: { from: number; to: number }[]): void {
  const ctx = u.ctx;
  ctx.save();
  ctx.fillStyle = COLORS.corrected;
  for (const band of bands) {
    const left = Math.max(u.bbox.left, u.valToPos(band.from, 'x', true));
    const right = Math.min(u.bbox.left + u.bbox.width, u.valToPos(band.to, 'x', true));
    if (right > left) ctx.fillRect(left, u.bbox.top, right - left, u.bbox.height);
  }
  ctx.restore();
}

function drawMarkers(u: uPlot, markers: Marker[]): void {
  const ctx = u.ctx;
  const top = u.bbox.top;
  const bottom = u.bbox.top + u.bbox.height;
  ctx.save();
  ctx.lineWidth = 1.5 * uPlot.pxRatio;
  for (const marker of markers) {
    const x = u.valToPos(marker.at, 'x', true);
    if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) continue;
    ctx.strokeStyle = marker.kind === 'warning' ? COLORS.warning : COLORS.deploy;
    ctx.setLineDash(
      marker.kind === 'warning'
        ? [2 * uPlot.pxRatio, 3 * uPlot.pxRatio]
        : [6 * uPlot.pxRatio, 3 * uPlot.pxRatio],
    );
    ctx.beginPath();
    ctx.moveTo(x, top);
    ctx.lineTo(x, bottom);
    ctx.stroke();
  }
  ctx.restore();
}

/** The markers as buttons under the plot, aligned with it: hover or focus shows the details, a click pins them. */
function MarkerStrip(props: { markers: Marker[]; from: number; to: number; left: number; width: number }) {
  const [open, setOpen] = useState<string | null>(null);
  const [pinned, setPinned] = useState<string | null>(null);
  const shown = pinned ?? open;
  const positions = props.markers.map((m) => positionPercent(m.at, props.from, props.to));
  const { lanes, count } = assignLanes(
    props.markers.map((m, i) => ({
      center: (positions[i]! / 100) * props.width,
      width: markerWidth(m.label),
    })),
  );
  return (
    <ul
      class="marker-strip"
      style={{
        marginLeft: `${props.left}px`,
        width: `${props.width}px`,
        height: `${count * LANE_REM + 0.3}rem`,
      }}
      aria-label="Changes on this chart"
    >
      {props.markers.map((marker, i) => {
        const left = positions[i]!;
        const detailsId = `marker-${marker.id.replace(/[^a-zA-Z0-9_-]/g, '_')}-${props.from}`;
        return (
          <li
            key={marker.id}
            class={`marker marker-${marker.kind}`}
            style={{
              left: `${left}%`,
              top: `${lanes[i]! * LANE_REM}rem`,
              zIndex: shown === marker.id ? 6 : undefined,
            }}
          >
            <button
              type="button"
              class="marker-button"
              data-kind={marker.kind}
              aria-expanded={shown === marker.id}
              aria-controls={detailsId}
              onMouseEnter={() => setOpen(marker.id)}
              onMouseLeave={() => setOpen(null)}
              onFocus={() => setOpen(marker.id)}
              onBlur={() => setOpen(null)}
              onClick={() => setPinned(pinned === marker.id ? null : marker.id)}
              onKeyDown={(event) => {
                if (event.key === 'Escape') {
                  setPinned(null);
                  setOpen(null);
                }
              }}
            >
              <span class="marker-icon" aria-hidden="true">
                {marker.kind === 'warning' ? '!' : '▲'}
              </span>
              <span class="marker-label">{marker.label}</span>
            </button>
            <div
              id={detailsId}
              class={`marker-details ${left > 60 ? 'align-right' : ''}`}
              role="tooltip"
              hidden={shown !== marker.id}
            >
              <strong>{formatTime(marker.at)}</strong>
              {marker.details.map((line) => (
                <div>{line}</div>
              ))}
            </div>
          </li>
        );
      })}
    </ul>
  );
}
