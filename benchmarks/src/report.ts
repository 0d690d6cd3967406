/**
 * Human-readable output: text tables and an SVG bar chart.
 * @module
 */

/** Formats rows as an aligned text table. */
export function table(headers: string[], rows: Array<Array<string | number>>): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  const line = (r: string[]): string => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(cells[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

/** One bar: dualcloud's (blue), the machine's ceiling (grey), a peer SDK's (orange) or a forced setting's (light blue). */
export interface Bar {
  readonly label: string;
  readonly value: number;
  readonly marker?: number;
  readonly kind?: 'ceiling' | 'peer' | 'variant' | undefined;
}

/** One bar chart panel. */
export interface Panel {
  readonly title: string;
  readonly unit: string;
  readonly bars: readonly Bar[];
}

const COLOURS = { dualcloud: '#4a7bd0', ceiling: '#9a9a9a', peer: '#e08a2c', variant: '#a9c1ea' } as const;

const escape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Renders panels of horizontal bars as a standalone SVG document (a marker draws the ideal as a tick). */
export function svgChart(title: string, subtitle: string, panels: readonly Panel[]): string {
  const width = 860;
  const barHeight = 22;
  const labelWidth = 170;
  const plotWidth = width - labelWidth - 120;
  let y = 60;
  const parts: string[] = [
    `<text x="16" y="28" font-size="18" font-weight="bold">${escape(title)}</text>`,
    `<text x="16" y="48" font-size="12" fill="#555">${escape(subtitle)}</text>`,
  ];
  for (const panel of panels) {
    y += 24;
    parts.push(`<text x="16" y="${y}" font-size="14" font-weight="bold">${escape(panel.title)}</text>`);
    y += 10;
    const max = Math.max(1e-9, ...panel.bars.map((b) => Math.max(b.value, b.marker ?? 0)));
    for (const bar of panel.bars) {
      const w = Math.max(1, (bar.value / max) * plotWidth);
      parts.push(`<text x="16" y="${y + 15}" font-size="12">${escape(bar.label)}</text>`);
      parts.push(`<rect x="${labelWidth}" y="${y}" width="${w.toFixed(1)}" height="${barHeight - 6}" fill="${COLOURS[bar.kind ?? 'dualcloud']}"/>`);
      parts.push(`<text x="${labelWidth + w + 6}" y="${y + 13}" font-size="11">${escape(`${bar.value} ${panel.unit}`)}</text>`);
      if (bar.marker !== undefined) {
        const mx = labelWidth + (bar.marker / max) * plotWidth;
        parts.push(`<line x1="${mx.toFixed(1)}" y1="${y - 2}" x2="${mx.toFixed(1)}" y2="${y + barHeight - 4}" stroke="#d04a4a" stroke-width="2"/>`);
      }
      y += barHeight;
    }
  }
  y += 20;
  parts.push(`<text x="16" y="${y}" font-size="11" fill="#555">red tick: ideal (ceil(N/C) × latency) · blue: dualcloud · light blue: dualcloud with a setting forced</text>`);
  y += 16;
  parts.push(`<text x="16" y="${y}" font-size="11" fill="#555">grey: the machine's ceiling (bare undici.request, no SDK) · orange: peer SDKs (Apache Libcloud, @aws-sdk/client-s3)</text>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y + 16}" font-family="sans-serif">\n<rect width="100%" height="100%" fill="white"/>\n${parts.join('\n')}\n</svg>\n`;
}
