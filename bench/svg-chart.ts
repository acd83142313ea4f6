/**
 * A small SVG line chart (log-log axes) written by the bench itself, so the
 * chart in BENCHMARKS.md is always the figures of the run that wrote it.
 */
export interface Series {
  name: string
  color: string
  points: Array<{ x: number; y: number }>
}

export interface ChartSpec {
  title: string
  xLabel: string
  yLabel: string
  series: Series[]
}

const WIDTH = 640
const HEIGHT = 380
const MARGIN = { left: 78, right: 20, top: 40, bottom: 56 }

function logRange(values: number[]): [number, number] {
  const logs = values.filter((value) => value > 0).map(Math.log10)
  return [Math.floor(Math.min(...logs)), Math.ceil(Math.max(...logs))]
}

function format(value: number): string {
  if (value >= 1e6) return `${value / 1e6}M`
  if (value >= 1e3) return `${value / 1e3}k`
  return String(value)
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

/** Renders the chart as an SVG document. */
export function renderChart(spec: ChartSpec): string {
  const all = spec.series.flatMap((series) => series.points)
  const [xMin, xMax] = logRange(all.map((point) => point.x))
  const [yMin, yMax] = logRange(all.map((point) => point.y))
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom
  const x = (value: number) => MARGIN.left + ((Math.log10(value) - xMin) / Math.max(1, xMax - xMin)) * plotWidth
  const y = (value: number) => MARGIN.top + plotHeight - ((Math.log10(value) - yMin) / Math.max(1, yMax - yMin)) * plotHeight

  const parts: string[] = []
  for (let power = xMin; power <= xMax; power++) {
    const at = x(10 ** power)
    parts.push(`<line x1="${at}" y1="${MARGIN.top}" x2="${at}" y2="${MARGIN.top + plotHeight}" stroke="#eee"/>`)
    parts.push(`<text x="${at}" y="${MARGIN.top + plotHeight + 18}" text-anchor="middle">${format(10 ** power)}</text>`)
  }
  for (let power = yMin; power <= yMax; power++) {
    const at = y(10 ** power)
    parts.push(`<line x1="${MARGIN.left}" y1="${at}" x2="${MARGIN.left + plotWidth}" y2="${at}" stroke="#eee"/>`)
    parts.push(`<text x="${MARGIN.left - 8}" y="${at + 4}" text-anchor="end">${format(10 ** power)}</text>`)
  }
  spec.series.forEach((series, index) => {
    const path = series.points.map((point, i) => `${i === 0 ? 'M' : 'L'}${x(point.x).toFixed(1)},${y(point.y).toFixed(1)}`).join(' ')
    parts.push(`<path d="${path}" fill="none" stroke="${series.color}" stroke-width="2.5"/>`)
    for (const point of series.points) parts.push(`<circle cx="${x(point.x).toFixed(1)}" cy="${y(point.y).toFixed(1)}" r="3.5" fill="${series.color}"/>`)
    const legendY = MARGIN.top + 16 + index * 18
    parts.push(`<rect x="${MARGIN.left + 12}" y="${legendY - 10}" width="14" height="4" fill="${series.color}"/>`)
    parts.push(`<text x="${MARGIN.left + 32}" y="${legendY - 4}">${escapeXml(series.name)}</text>`)
  })
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${WIDTH / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(spec.title)}</text>`,
    `<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#999"/>`,
    ...parts,
    `<text x="${MARGIN.left + plotWidth / 2}" y="${HEIGHT - 14}" text-anchor="middle">${escapeXml(spec.xLabel)}</text>`,
    `<text transform="translate(18 ${MARGIN.top + plotHeight / 2}) rotate(-90)" text-anchor="middle">${escapeXml(spec.yLabel)}</text>`,
    '</svg>',
    '',
  ].join('\n')
}
