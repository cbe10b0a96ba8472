import type ExcelJS from 'exceljs'
import { stringify } from 'csv-stringify/sync'
import type { FastifyReply } from 'fastify'
import { negotiate } from '../../shared/negotiation.js'

export const CSV = 'text/csv'
export const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
export const HTML = 'text/html'
export const JSON_TYPE = 'application/json'

/** A figure table: what CSV and XLSX carry, built from the very object JSON returns. */
export interface Table {
  name: string
  columns: string[]
  rows: Array<Array<string | number | null>>
}

export type StatisticType = typeof JSON_TYPE | typeof CSV | typeof XLSX

const STATISTIC_TYPES: readonly [StatisticType, ...StatisticType[]] = [JSON_TYPE, CSV, XLSX]

export function negotiateStatistic(accept: string | undefined, what: string): StatisticType {
  return negotiate(accept, STATISTIC_TYPES, what)
}

/** Text a spreadsheet would run as a formula (=, +, -, @, tab, CR) is prefixed with an apostrophe. */
function safeText(value: string | number | null): string | number | null {
  return typeof value === 'string' && /^[=+\-@\t\r]/.test(value) ? `'${value}` : value
}

export function tableCsv(table: Table): string {
  return stringify(
    table.rows.map((row) => row.map((value) => (value === null ? '' : safeText(value)))),
    { header: true, columns: table.columns, record_delimiter: 'windows' },
  )
}

/**
 * exceljs is loaded when the first spreadsheet is asked for, not at start-up: loaded, it holds
 * about 17 MB of the process's memory whether or not anyone ever downloads a spreadsheet.
 */
let excel: Promise<typeof ExcelJS> | undefined

/** One sheet per table, a bold frozen header row; numbers stay numbers. */
export async function tablesXlsx(tables: readonly Table[]): Promise<Buffer> {
  // A CommonJS module: its exports are the default export of the ES module namespace.
  const { Workbook } = await (excel ??= import('exceljs').then((module) => (module as unknown as { default: typeof ExcelJS }).default))
  const workbook = new Workbook()
  workbook.creator = 'AVRR service'
  for (const table of tables) {
    const sheet = workbook.addWorksheet(table.name.slice(0, 31), { views: [{ state: 'frozen', ySplit: 1 }] })
    sheet.addRow(table.columns).font = { bold: true }
    for (const row of table.rows) sheet.addRow(row.map(safeText))
    sheet.columns.forEach((column) => {
      column.width = Math.min(40, Math.max(10, ...(column.values ?? []).map((value) => String(value ?? '').length + 2)))
    })
  }
  return Buffer.from(await workbook.xlsx.writeBuffer())
}

/** Sends the statistic in the negotiated format: the JSON body, or its table(s) as CSV or XLSX. */
export async function sendStatistic(reply: FastifyReply, type: StatisticType, filename: string, body: unknown, tables: readonly Table[]): Promise<unknown> {
  void reply.header('vary', 'Accept')
  if (type === CSV) {
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${filename}.csv"`)
      .send(tables.map(tableCsv).join('\r\n'))
  }
  if (type === XLSX) {
    return reply.type(XLSX).header('content-disposition', `attachment; filename="${filename}.xlsx"`).send(await tablesXlsx(tables))
  }
  return body
}
