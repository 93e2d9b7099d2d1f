/**
 * The report webview's HTML: a strict Content-Security-Policy (`default-src 'none'`, scripts only
 * with this page's nonce, styles and images only from the extension's own resources), the tables
 * written server-side (escaped; readable before any script runs), and the chart series as a JSON
 * data block for the bundled script (out/webview/report.js, chart.js inside). Colours come from
 * VS Code's theme variables in media/report.css. No remote resource anywhere.
 *
 * Stable hooks for tests: `#verdict` ("All N checks passed" / "N of M checks failed"),
 * `table#layers`, `table#checks`, `table#parameters`, `canvas#gradient-norms`,
 * `canvas#activation-std`, `canvas#params-per-layer`, `canvas#macs-per-layer`,
 * `canvas#check-errors`, `#log-scale` (the log-scale checkbox), `body[data-kind]`.
 */
import type { Cell, ChartSeries, ReportView, Row, Table } from './model.js';

export interface PageResources {
    /** The webview's `cspSource` (the scheme/host its local resources are served from). */
    readonly cspSource: string;
    /** A fresh random nonce per page. */
    readonly nonce: string;
    /** Webview URIs of out/webview/report.js and media/report.css. */
    readonly scriptUri: string;
    readonly styleUri: string;
}

export function escapeHtml(s: string): string {
    return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** JSON safe inside a <script> element (no `</script>`, no `<!--`). */
export function scriptJson(value: unknown): string {
    return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
    return [
        "default-src 'none'",
        `img-src ${cspSource} data:`,
        `style-src ${cspSource}`,
        `font-src ${cspSource}`,
        `script-src 'nonce-${nonce}'`,
    ].join('; ');
}

/** A random nonce: 32 characters from [A-Za-z0-9]. */
export function makeNonce(random: () => number = Math.random): string {
    const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
    let s = '';
    for (let i = 0; i < 32; i++) s += chars[Math.floor(random() * chars.length)];
    return s;
}

function cell(c: Cell, tag: 'td' | 'th', numeric: boolean): string {
    const cls = [numeric ? 'num' : '', c.tone ?? ''].filter(Boolean).join(' ');
    return `<${tag}${cls ? ` class="${cls}"` : ''}${c.title ? ` title="${escapeHtml(c.title)}"` : ''}>${escapeHtml(c.text)}</${tag}>`;
}

function row(r: Row, numeric: readonly boolean[], tag: 'td' | 'th' = 'td'): string {
    const attrs = [
        r.uri !== undefined ? ` data-uri="${escapeHtml(r.uri)}"` : '',
        r.line !== undefined ? ` data-line="${r.line}"` : '',
        r.tone ? ` class="${r.tone}"` : '',
        r.uri !== undefined ? ' tabindex="0"' : '',
    ].join('');
    return `<tr${attrs}>${r.cells.map((c, i) => cell(c, tag, numeric[i] ?? false)).join('')}</tr>`;
}

function table(t: Table): string {
    const numeric = t.columns.map(c => c.numeric ?? false);
    const groups: string[] = [];
    if (t.columns.some(c => c.group)) {
        for (let i = 0; i < t.columns.length;) {
            const g = t.columns[i]!.group;
            let span = 1;
            while (i + span < t.columns.length && t.columns[i + span]!.group === g) span++;
            groups.push(`<th colspan="${span}"${g ? ' class="group"' : ''}>${g ? escapeHtml(g) : ''}</th>`);
            i += span;
        }
    }
    return [
        `<section class="table"><h2>${escapeHtml(t.caption)}</h2>`,
        `<div class="scroll"><table id="${escapeHtml(t.id)}">`,
        '<thead>',
        ...(groups.length ? [`<tr class="groups">${groups.join('')}</tr>`] : []),
        `<tr>${t.columns.map(c => `<th${c.numeric ? ' class="num"' : ''}>${escapeHtml(c.label)}</th>`).join('')}</tr>`,
        '</thead>',
        `<tbody>${t.rows.map(r => row(r, numeric)).join('')}</tbody>`,
        ...(t.foot?.length ? [`<tfoot>${t.foot.map(r => row(r, numeric, 'th')).join('')}</tfoot>`] : []),
        '</table></div></section>',
    ].join('\n');
}

function chart(c: ChartSeries): string {
    return [
        `<figure class="chart">`,
        `<figcaption>${escapeHtml(c.title)}</figcaption>`,
        `<div class="canvas-box"><canvas id="${escapeHtml(c.id)}" role="img" aria-label="${escapeHtml(`${c.title}: bar chart of ${c.values.length} values`)}"></canvas></div>`,
        ...(c.note ? [`<p class="chart-note">${escapeHtml(c.note)}</p>`] : []),
        '</figure>',
    ].join('\n');
}

export function reportHtml(view: ReportView, page: PageResources): string {
    const { nonce } = page;
    const verdict = view.verdict
        ? [
            `<section id="verdict" class="verdict ${view.verdict.passed ? 'passed' : 'failed'}" role="status">${escapeHtml(view.verdict.text)}</section>`,
            ...(view.verdict.failures.length
                ? [`<ul id="failures">${view.verdict.failures.map(f => `<li data-uri="${escapeHtml(f.uri)}" data-line="${f.line}" tabindex="0">${escapeHtml(f.text)}</li>`).join('')}</ul>`]
                : []),
        ]
        : [];
    const charts = view.charts.length
        ? [
            '<section id="charts">',
            `<div class="chart-controls"><label><input type="checkbox" id="log-scale"${view.charts.some(c => c.log) ? ' checked' : ''}> log scale</label></div>`,
            `<div class="chart-grid">${view.charts.map(chart).join('\n')}</div>`,
            '</section>',
        ]
        : [];
    const data = { kind: view.kind, charts: view.charts };
    return [
        '<!DOCTYPE html>',
        '<html lang="en">',
        '<head>',
        '<meta charset="UTF-8">',
        `<meta http-equiv="Content-Security-Policy" content="${escapeHtml(contentSecurityPolicy(page.cspSource, nonce))}">`,
        '<meta name="viewport" content="width=device-width, initial-scale=1.0">',
        `<link rel="stylesheet" href="${escapeHtml(page.styleUri)}">`,
        `<title>${escapeHtml(view.title)}</title>`,
        '</head>',
        `<body class="report" data-kind="${view.kind}" data-network="${escapeHtml(view.network)}">`,
        '<header>',
        `<h1 id="title">${escapeHtml(view.title)}</h1>`,
        `<p class="subtitle">${escapeHtml(view.subtitle)}</p>`,
        '</header>',
        ...verdict,
        `<dl id="facts">${view.facts.map(f => `<dt>${escapeHtml(f.label)}</dt><dd>${escapeHtml(f.value)}</dd>`).join('')}</dl>`,
        ...(view.notes.length ? [`<ul class="notes">${view.notes.map(n => `<li>${escapeHtml(n)}</li>`).join('')}</ul>`] : []),
        ...charts,
        ...view.tables.map(table),
        `<script nonce="${nonce}" type="application/json" id="report-data">${scriptJson(data)}</script>`,
        `<script nonce="${nonce}" src="${escapeHtml(page.scriptUri)}"></script>`,
        '</body>',
        '</html>',
    ].join('\n');
}

/** The page shown while a job runs (no script). */
export function pendingHtml(title: string, message: string, page: Pick<PageResources, 'cspSource' | 'nonce' | 'styleUri'>): string {
    return [
        '<!DOCTYPE html>',
        '<html lang="en"><head><meta charset="UTF-8">',
        `<meta http-equiv="Content-Security-Policy" content="${escapeHtml(contentSecurityPolicy(page.cspSource, page.nonce))}">`,
        `<link rel="stylesheet" href="${escapeHtml(page.styleUri)}">`,
        `<title>${escapeHtml(title)}</title></head>`,
        `<body class="report" data-kind="pending"><header><h1 id="title">${escapeHtml(title)}</h1><p class="subtitle" id="status">${escapeHtml(message)}</p></header></body></html>`,
    ].join('\n');
}
