/**
 * The report webview's script (bundled with chart.js into out/webview/report.js): draws the bar
 * charts from the page's JSON data block in the theme's colours, switches them between linear and
 * log scales, and asks the extension to reveal a layer's line when a table row is clicked.
 */
import { BarController, BarElement, CategoryScale, Chart, LinearScale, LogarithmicScale, Tooltip, type ChartConfiguration, type Plugin } from 'chart.js';
import type { ChartSeries } from '../report/model.js';

declare function acquireVsCodeApi(): { postMessage(message: unknown): void };

Chart.register(BarController, BarElement, CategoryScale, LinearScale, LogarithmicScale, Tooltip);

const vscode = acquireVsCodeApi();
const data = JSON.parse(document.getElementById('report-data')?.textContent ?? '{}') as { kind: string; charts: ChartSeries[] };

function themeColor(name: string, fallback: string): string {
    return getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
}

function palette() {
    return {
        bar: themeColor('--vscode-charts-blue', '#3794ff'),
        low: themeColor('--vscode-charts-yellow', '#cca700'),
        high: themeColor('--vscode-charts-red', '#f14c4c'),
        text: themeColor('--vscode-foreground', '#cccccc'),
        grid: themeColor('--vscode-editorWidget-border', 'rgba(128,128,128,0.35)'),
        reference: themeColor('--vscode-charts-orange', '#d18616'),
        font: themeColor('--vscode-font-family', 'sans-serif'),
    };
}

/** Draws the series' reference value (the gradient check's rtol) as a dashed horizontal line. */
const referenceLine: Plugin<'bar'> = {
    id: 'convscopeReference',
    afterDatasetsDraw(chart) {
        const ref = (chart.options.plugins as { convscopeReference?: { value: number; label: string } } | undefined)?.convscopeReference;
        const y = chart.scales.y;
        if (!ref || !y) return;
        const py = y.getPixelForValue(ref.value);
        if (!Number.isFinite(py) || py < chart.chartArea.top || py > chart.chartArea.bottom) return;
        const ctx = chart.ctx;
        ctx.save();
        ctx.strokeStyle = palette().reference;
        ctx.fillStyle = palette().reference;
        ctx.setLineDash([6, 4]);
        ctx.beginPath();
        ctx.moveTo(chart.chartArea.left, py);
        ctx.lineTo(chart.chartArea.right, py);
        ctx.stroke();
        ctx.fillText(ref.label, chart.chartArea.right - ctx.measureText(ref.label).width - 4, py - 4);
        ctx.restore();
    },
};

function values(series: ChartSeries, log: boolean): Array<number | null> {
    // A log axis cannot show 0 or negatives: leave those bars out.
    return series.values.map(v => (v === null || (log && v <= 0) ? null : v));
}

/** Log-axis ticks: the powers of ten only, as 1e-5 … 1000. */
function logTick(value: number | string): string | undefined {
    const v = Number(value);
    if (!(v > 0)) return undefined;
    const e = Math.log10(v);
    if (Math.abs(e - Math.round(e)) > 1e-9) return undefined;
    const k = Math.round(e);
    return k >= -2 && k <= 4 ? String(10 ** k >= 1 ? 10 ** k : Number((10 ** k).toFixed(-k))) : `1e${k}`;
}

function config(series: ChartSeries, log: boolean): ChartConfiguration<'bar'> {
    const p = palette();
    const reference = series.reference?.value;
    return {
        type: 'bar',
        data: {
            labels: [...series.labels],
            datasets: [{
                label: series.label,
                data: values(series, log),
                backgroundColor: series.flags.map(f => (f === 'low' ? p.low : f === 'high' ? p.high : p.bar)),
                borderWidth: 0,
            }],
        },
        options: {
            animation: false,
            responsive: true,
            maintainAspectRatio: false,
            scales: {
                x: { ticks: { color: p.text, autoSkip: true, maxRotation: 60, font: { size: 10 } }, grid: { display: false } },
                y: {
                    type: log ? 'logarithmic' : 'linear',
                    ticks: { color: p.text, ...(log ? { callback: (value: number | string) => logTick(value) } : {}) },
                    grid: { color: p.grid },
                    title: { display: true, text: series.label, color: p.text },
                    // Keep the reference line (the tolerance) in view, above the bars when they are all below it.
                    ...(reference !== undefined && reference > 0 ? { suggestedMax: reference * 2 } : {}),
                },
            },
            plugins: {
                tooltip: { callbacks: { label: item => `${series.label}: ${series.values[item.dataIndex] ?? '—'}` } },
                ...({ convscopeReference: series.reference } as object),
            },
        },
        plugins: [referenceLine],
    };
}

const charts = new Map<string, { chart: Chart<'bar'>; series: ChartSeries }>();
const logBox = document.getElementById('log-scale') as HTMLInputElement | null;

function draw(): void {
    const log = logBox?.checked ?? false;
    for (const series of data.charts ?? []) {
        const canvas = document.getElementById(series.id) as HTMLCanvasElement | null;
        if (!canvas) continue;
        charts.get(series.id)?.chart.destroy();
        charts.set(series.id, { chart: new Chart(canvas, config(series, log && series.values.some(v => v !== null && v > 0))), series });
    }
    document.body.dataset.chartsReady = String(charts.size);
}

draw();
logBox?.addEventListener('change', draw);
// The theme changes the body's class (vscode-light, vscode-dark, vscode-high-contrast): redraw in its colours.
new MutationObserver(draw).observe(document.body, { attributes: true, attributeFilter: ['class'] });

function reveal(target: EventTarget | null): void {
    const el = (target as HTMLElement | null)?.closest<HTMLElement>('[data-uri][data-line]');
    if (el) vscode.postMessage({ type: 'reveal', uri: el.dataset.uri, line: Number(el.dataset.line) });
}
document.addEventListener('click', e => reveal(e.target));
document.addEventListener('keydown', e => {
    if (e.key === 'Enter') reveal(e.target);
});
