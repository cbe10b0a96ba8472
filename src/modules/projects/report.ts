import { stringify } from 'csv-stringify/sync'
import type { Kysely } from 'kysely'
import type { DB } from '../../db/schema.js'
import { currencyExponent } from '../../shared/iso-codes.js'
import { notFound } from '../../shared/problems.js'
import { pick } from '../../shared/objects.js'
import { findProjectRow } from './access.js'
import * as repository from './repository.js'
import type { BudgetReportRecord } from './schemas.js'
import { splitByShares } from './shares.js'

/**
 * The budget report of a project, read in one repeatable-read snapshot so its lines, totals
 * and co-funder shares describe the same moment.
 */
export async function budgetReport(db: Kysely<DB>, projectId: string): Promise<BudgetReportRecord> {
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (trx) => {
      const project = await findProjectRow(trx, projectId)
      if (!project) throw notFound('Project', projectId)
      const [lines, coFunders] = await Promise.all([repository.allLines(trx, projectId), repository.projectCoFunders(trx, projectId)])
      const money = (amount_minor: number) => ({ amount_minor, currency: project.currency })
      const sum = (pick: (line: (typeof lines)[number]) => number) => lines.reduce((total, line) => total + pick(line), 0)
      const allocated = sum((line) => line.allocated_minor)
      const committed = sum((line) => line.committed_minor)
      const spent = sum((line) => line.spent_minor)
      const shares = coFunders.map((coFunder) => coFunder.share_bp)
      const contributions = splitByShares(project.total_minor, shares)
      const spentShares = splitByShares(spent, shares)
      return {
        project_id: project.id,
        ...pick(project, ['code', 'title', 'status', 'starts_on', 'ends_on', 'currency']),
        generated_at: new Date().toISOString(),
        lines: lines.map((line) => ({
          budget_line_id: line.id,
          category: line.category,
          name: line.name,
          allocated: money(line.allocated_minor),
          committed: money(line.committed_minor),
          spent: money(line.spent_minor),
          available: money(line.allocated_minor - line.committed_minor - line.spent_minor),
        })),
        totals: {
          total: money(project.total_minor),
          allocated: money(allocated),
          unallocated: money(project.total_minor - allocated),
          committed: money(committed),
          spent: money(spent),
          available: money(allocated - committed - spent),
        },
        co_funders: coFunders.map((coFunder, index) => ({
          name: coFunder.name,
          share_bp: coFunder.share_bp,
          contribution: money(contributions[index] ?? 0),
          spent: money(spentShares[index] ?? 0),
        })),
      }
    })
}

/** Exact decimal text of an amount in minor units (3803700 EUR → "38037.00"); never through floating point. */
export function formatAmount(amountMinor: number, currency: string): string {
  const exponent = currencyExponent(currency)
  if (exponent === 0) return String(amountMinor)
  const digits = String(Math.abs(amountMinor)).padStart(exponent + 1, '0')
  return `${amountMinor < 0 ? '-' : ''}${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`
}

/** Text a spreadsheet would run as a formula (=, +, -, @, tab, CR) is prefixed with an apostrophe. */
function textCell(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value
}

export const CSV_COLUMNS = ['row', 'category', 'name', 'share_bp', 'allocated', 'committed', 'spent', 'available', 'contribution', 'currency'] as const

/**
 * The report as one CSV table for spreadsheets: a `line` row per budget line, a `total` row,
 * and a `co_funder` row per co-funder (its share of the spend under `spent`, of the total under
 * `contribution`). Amounts are exact decimals in the project currency.
 */
export function budgetReportCsv(report: BudgetReportRecord): string {
  const amount = (value: { amount_minor: number } | undefined) => (value === undefined ? '' : formatAmount(value.amount_minor, report.currency))
  const rows: string[][] = [
    ...report.lines.map((line) => ['line', line.category, textCell(line.name), '', amount(line.allocated), amount(line.committed), amount(line.spent), amount(line.available), '', report.currency]),
    [
      'total',
      '',
      '',
      '',
      amount(report.totals.allocated),
      amount(report.totals.committed),
      amount(report.totals.spent),
      amount(report.totals.available),
      amount(report.totals.total),
      report.currency,
    ],
    ...report.co_funders.map((coFunder) => [
      'co_funder',
      '',
      textCell(coFunder.name),
      String(coFunder.share_bp),
      '',
      '',
      amount(coFunder.spent),
      '',
      amount(coFunder.contribution),
      report.currency,
    ]),
  ]
  return stringify(rows, { header: true, columns: [...CSV_COLUMNS], record_delimiter: 'windows' })
}
