import { formatAmount } from '../projects/index.js'
import type { DonorReport, ReturnFigures } from './service.js'

/**
 * The donor report as a printable HTML page: tables and bar charts drawn here as inline SVG (no
 * script, no external resource), so it prints and archives as it is shown.
 */

function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`)
}

interface Series {
  name: string
  colour: string
}

interface Bar {
  label: string
  values: number[]
}

const BLUE = '#1f5fa8'
const ORANGE = '#e07b24'

/** Horizontal bars, one row per label, one bar per series; each value is written at its bar's end. */
export function barChart(title: string, series: readonly Series[], bars: readonly Bar[], format: (value: number) => string = String): string {
  const labelWidth = 270
  const plotWidth = 420
  const barHeight = 14
  const rowHeight = series.length * barHeight + 10
  const top = 30
  const height = top + Math.max(1, bars.length) * rowHeight + 26
  const max = Math.max(1, ...bars.flatMap((bar) => bar.values))
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" width="${labelWidth + plotWidth + 90}" height="${height}" viewBox="0 0 ${labelWidth + plotWidth + 90} ${height}" aria-label="${escapeHtml(title)}">`,
    `<title>${escapeHtml(title)}</title>`,
    `<text x="0" y="16" font-size="14" font-weight="bold">${escapeHtml(title)}</text>`,
  ]
  if (bars.length === 0) parts.push(`<text x="0" y="${top + 14}" font-size="12">No data</text>`)
  bars.forEach((bar, row) => {
    const y = top + row * rowHeight
    parts.push(`<text x="${labelWidth - 6}" y="${y + (series.length * barHeight) / 2 + 4}" font-size="12" text-anchor="end">${escapeHtml(bar.label)}</text>`)
    bar.values.forEach((value, index) => {
      const width = Math.round((value / max) * plotWidth)
      const barY = y + index * barHeight
      parts.push(`<rect x="${labelWidth}" y="${barY}" width="${width}" height="${barHeight - 2}" fill="${series[index]?.colour ?? BLUE}"><title>${escapeHtml(`${bar.label}, ${series[index]?.name}: ${format(value)}`)}</title></rect>`)
      parts.push(`<text x="${labelWidth + width + 4}" y="${barY + barHeight - 4}" font-size="11">${escapeHtml(format(value))}</text>`)
    })
  })
  const legendY = height - 8
  series.forEach((entry, index) => {
    const x = labelWidth + index * 150
    parts.push(`<rect x="${x}" y="${legendY - 10}" width="10" height="10" fill="${entry.colour}"/><text x="${x + 14}" y="${legendY}" font-size="11">${escapeHtml(entry.name)}</text>`)
  })
  parts.push('</svg>')
  return parts.join('')
}

function table(headers: readonly string[], rows: ReadonlyArray<ReadonlyArray<unknown>>): string {
  const head = headers.map((header) => `<th>${escapeHtml(header)}</th>`).join('')
  const body = rows.map((row) => `<tr>${row.map((cell, index) => (index === 0 ? `<th scope="row">${escapeHtml(cell)}</th>` : `<td>${escapeHtml(cell)}</td>`)).join('')}</tr>`).join('')
  return `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`
}

const RETURN_COLUMNS = ['returned', 'arrived', 'children', 'individuals', 'families', 'family_members', 'vulnerable', 'reached_reintegration'] as const

function returnsRows(groups: ReadonlyArray<{ label: string; figures: ReturnFigures }>): unknown[][] {
  return groups.map((group) => [group.label, ...RETURN_COLUMNS.map((column) => group.figures[column])])
}

export function donorReportHtml(report: DonorReport): string {
  const currency = report.project.currency
  const money = (minor: number) => `${formatAmount(minor, currency)} ${currency}`
  const period = report.period.from || report.period.to ? `${report.period.from ?? report.project.starts_on} – ${report.period.to ?? report.project.ends_on}` : `${report.project.starts_on} – ${report.project.ends_on} (whole project)`
  const byCountry = report.returns_by_country.map((group) => ({ label: group.country, figures: group.figures }))
  const byQuarter = report.returns_by_quarter.map((group) => ({ label: group.quarter, figures: group.figures }))
  const returnedSeries = [{ name: 'returned', colour: BLUE }, { name: 'reached reintegration', colour: ORANGE }]
  const returnedBars = (groups: typeof byCountry) => groups.map((group) => ({ label: group.label, values: [group.figures.returned as number, group.figures.reached_reintegration as number] }))
  const sections = [
    `<h1>${escapeHtml(report.project.title)}</h1>`,
    `<p class="meta">Project ${escapeHtml(report.project.code)} · reporting period ${escapeHtml(period)} · generated ${escapeHtml(report.generated_at)}</p>`,
    '<h2>Targets and achievement</h2>',
    table(['measure', 'target', 'achieved'], report.targets.map((target) => [target.measure, target.target ?? '—', target.achieved])),
    '<h2>Returns</h2>',
    table(['', ...RETURN_COLUMNS], returnsRows([{ label: 'total', figures: report.returns }, ...byCountry])),
    `<figure>${barChart('Returns by country', returnedSeries, returnedBars(byCountry))}</figure>`,
    `<figure>${barChart('Returns by quarter of departure', returnedSeries, returnedBars(byQuarter))}</figure>`,
    '<h2>Reintegration</h2>',
    `<p>Approved plans cover ${report.reintegration.plan_approved} returnees; ${report.reintegration.reached_reintegration} were reached by a confirmed delivery.</p>`,
    table(['form of help', 'plans', 'delivered'], report.reintegration.by_form_of_help.map((kind) => [kind.form_of_help, kind.plans, kind.delivered_plans])),
    '<h2>Satisfaction</h2>',
    table(['topic', 'answers', 'satisfied', '% satisfied'], report.satisfaction.map((topic) => [topic.topic, topic.answers, topic.satisfied, topic.percent_satisfied ?? '—'])),
    `<figure>${barChart('Satisfied, per topic (%)', [{ name: '% satisfied', colour: BLUE }], report.satisfaction.map((topic) => ({ label: topic.topic, values: [topic.percent_satisfied ?? 0] })), (value) => `${value} %`)}</figure>`,
    '<h2>Budget</h2>',
    table(['line', 'allocated', 'committed', 'spent', 'available'], report.budget.lines.map((line) => [line.name, money(line.allocated.amount_minor), money(line.committed.amount_minor), money(line.spent.amount_minor), money(line.available.amount_minor)])),
    `<figure>${barChart(
      'Spend against allocation, per line',
      [{ name: 'allocated', colour: '#9db7d8' }, { name: 'spent', colour: BLUE }],
      report.budget.lines.map((line) => ({ label: line.name, values: [line.allocated.amount_minor, line.spent.amount_minor] })),
      money,
    )}</figure>`,
    table(['co-funder', 'share', 'contribution', 'share of spend'], report.budget.co_funders.map((coFunder) => [coFunder.name, `${coFunder.share_bp / 100} %`, money(coFunder.contribution.amount_minor), money(coFunder.spent.amount_minor)])),
    `<p class="meta">Definitions of every figure: docs/modules/statistics.md.${report.restricted_counted ? '' : ' Victims of trafficking are not counted in this copy.'}</p>`,
  ]
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(`Donor report ${report.project.code}`)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:24px;color:#222;max-width:900px}
h1{font-size:22px;margin-bottom:4px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:8px 0;font-size:13px}th,td{border:1px solid #ccc;padding:3px 8px;text-align:right}
th[scope=row],thead th:first-child{text-align:left}thead th{background:#eef2f7}.meta{color:#666;font-size:12px}
figure{margin:12px 0;break-inside:avoid}@media print{body{margin:0}}
</style></head><body>
${sections.join('\n')}
</body></html>`
}
