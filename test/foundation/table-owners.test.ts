import { readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import ts from 'typescript'

/**
 * Every table has exactly one owner, and only its owner's code names it in SQL: a module is used
 * through its public face and never reads another module's tables. Shared tables belong to
 * src/shared and src/plugins (`shared`). A table added to src/db/schema.ts without a line here
 * fails this test, and so does a query of another owner's table. See docs/module-map.md.
 */
const TABLE_OWNERS: Record<string, { owner: string; alsoReadBy?: string[] }> = {
  audit_events: { owner: 'shared', alsoReadBy: ['audit', 'events'] },
  outbox_events: { owner: 'shared', alsoReadBy: ['events'] },
  idempotency_keys: { owner: 'shared' },
  rate_limit_counters: { owner: 'shared' },
  offices: { owner: 'offices' },
  projects: { owner: 'projects' },
  project_co_funders: { owner: 'projects' },
  budget_lines: { owner: 'projects' },
  ledger_entries: { owner: 'projects' },
  case_reference_counters: { owner: 'return-cases' },
  return_cases: { owner: 'return-cases' },
  case_members: { owner: 'return-cases' },
  member_vulnerabilities: { owner: 'return-cases' },
  case_search_terms: { owner: 'return-cases' },
  counselling_sessions: { owner: 'return-cases' },
  case_status_history: { owner: 'return-cases' },
  payment_requests: { owner: 'payments' },
  cash_grants: { owner: 'cash-grants' },
  travel_documents: { owner: 'travel-documents' },
  transit_visas: { owner: 'travel-documents' },
  bookings: { owner: 'travel' },
  booking_segments: { owner: 'travel' },
  tickets: { owner: 'travel' },
  excess_baggage: { owner: 'excess-baggage' },
  travel_insurances: { owner: 'travel-arrangements' },
  accommodations: { owner: 'travel-arrangements' },
  crisis_countries: { owner: 'crisis-countries' },
  reintegration_scoring_configurations: { owner: 'reintegration' },
  reintegration_requests: { owner: 'reintegration' },
  reintegration_assessments: { owner: 'reintegration' },
  reintegration_decisions: { owner: 'reintegration' },
  reintegration_plans: { owner: 'reintegration' },
  reintegration_disbursements: { owner: 'reintegration' },
  reintegration_contact_deadlines: { owner: 'reintegration' },
  suppliers: { owner: 'suppliers' },
  monitoring_visits: { owner: 'monitoring' },
  satisfaction_surveys: { owner: 'monitoring' },
  sustainability_instruments: { owner: 'monitoring' },
  sustainability_assessments: { owner: 'monitoring' },
  mic_enquirers: { owner: 'mic' },
  mic_consultations: { owner: 'mic' },
  webhook_subscriptions: { owner: 'events' },
  webhook_deliveries: { owner: 'events' },
  webhook_delivery_attempts: { owner: 'events' },
  webhook_dispatch_position: { owner: 'events' },
  event_retention_horizon: { owner: 'events' },
}

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const SRC = path.join(ROOT, 'src')

/** Query-builder calls whose first argument names a table (or `name as alias`). */
const TABLE_CALLS = new Set([
  'selectFrom', 'insertInto', 'updateTable', 'deleteFrom', 'mergeInto', 'replaceInto', 'with', 'withRecursive',
  'innerJoin', 'leftJoin', 'rightJoin', 'fullJoin', 'crossJoin', 'innerJoinLateral', 'leftJoinLateral', 'crossJoinLateral', 'table',
])
/** Table names in SQL text: after from / join / into / update / delete from / truncate. */
const SQL_TABLE = /\b(?:from|join|into|update|truncate(?:\s+table)?)\s+(?:only\s+)?"?([a-z_][a-z0-9_]*)"?/gi

export function schemaTables(): string[] {
  const schema = readFileSync(path.join(SRC, 'db/schema.ts'), 'utf8')
  return [...schema.matchAll(/^ {2}([a-z_][a-z0-9_]*): [A-Z][A-Za-z]*Table$/gm)].map((match) => match[1] as string)
}

function sourceFiles(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const file = path.join(directory, name)
    return statSync(file).isDirectory() ? sourceFiles(file) : file.endsWith('.ts') ? [file] : []
  })
}

/** Whose code a file is: a module's, shared (src/shared, src/plugins, src/db), or nobody's (the app, the server, the CLI, the composition root). */
function ownerOfFile(file: string): string | null {
  const relative = path.relative(SRC, file).split(path.sep)
  if (relative[0] === 'modules' && relative.length > 2) return relative[1] as string
  if (relative[0] === 'shared' || relative[0] === 'plugins' || relative[0] === 'db') return 'shared'
  return null
}

interface Reference {
  file: string
  line: number
  table: string
}

/** The tables a file names in queries: query-builder calls and the text of sql`…` templates. */
export function tableReferences(file: string, text: string, tables: ReadonlySet<string>): Reference[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true)
  const found: Reference[] = []
  const add = (node: ts.Node, name: string) => {
    const table = name.trim().split(/\s+as\s+/i)[0]?.trim() ?? ''
    if (tables.has(table)) found.push({ file: path.relative(ROOT, file), line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1, table })
  }
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && TABLE_CALLS.has(node.expression.name.text)) {
      const [first] = node.arguments
      const names = first && ts.isArrayLiteralExpression(first) ? first.elements : first ? [first] : []
      for (const name of names) if (ts.isStringLiteralLike(name)) add(name, name.text)
    }
    if (ts.isTaggedTemplateExpression(node)) {
      const template = node.template
      const parts = ts.isNoSubstitutionTemplateLiteral(template) ? [template.text] : [template.head.text, ...template.templateSpans.map((span) => span.literal.text)]
      for (const part of parts) for (const match of part.matchAll(SQL_TABLE)) add(node, match[1] as string)
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  return found
}

const tables = schemaTables()
const tableSet = new Set(tables)
const modules = readdirSync(path.join(SRC, 'modules')).filter((name) => statSync(path.join(SRC, 'modules', name)).isDirectory())
const references = sourceFiles(SRC).flatMap((file) => tableReferences(file, readFileSync(file, 'utf8'), tableSet).map((reference) => ({ ...reference, by: ownerOfFile(file) })))

t.test('every table in the schema has exactly one owner, a module or shared', async (t) => {
  t.ok(tables.length > 30, `the schema's tables are found (${tables.length})`)
  t.same(tables.filter((table) => !(table in TABLE_OWNERS)), [], 'a table without an owner: add it to TABLE_OWNERS (and docs/module-map.md)')
  t.same(Object.keys(TABLE_OWNERS).filter((table) => !tableSet.has(table)), [], 'owners of tables the schema no longer has')
  const owners = new Set(Object.values(TABLE_OWNERS).flatMap(({ owner, alsoReadBy }) => [owner, ...(alsoReadBy ?? [])]))
  t.same([...owners].filter((owner) => owner !== 'shared' && !modules.includes(owner)), [], 'every owner is a module folder or shared')
})

t.test('only a table\'s owner names it in a query', async (t) => {
  const foreign = references.filter(({ table, by }) => {
    const { owner, alsoReadBy = [] } = TABLE_OWNERS[table] ?? { owner: '?' }
    return by !== owner && !(by !== null && alsoReadBy.includes(by))
  })
  t.same(
    foreign.map(({ file, line, table, by }) => `${file}:${line} (${by ?? 'no owner'}) names ${table}, owned by ${TABLE_OWNERS[table]?.owner}`),
    [],
    'ask the owning module through its public face (or a port wired in src/modules/index.ts) instead',
  )
})

t.test('the scan sees each table where its owner queries it', async (t) => {
  const seen = new Set(references.map(({ table, by }) => `${table}:${by}`))
  t.same(
    tables.filter((table) => !seen.has(`${table}:${TABLE_OWNERS[table]?.owner}`)),
    [],
    'a table its owner never queries is dead, or the scan no longer sees queries',
  )
})

t.test('the scan finds table names in query-builder calls and in SQL text', async (t) => {
  const sample = "db.selectFrom('tickets as t').innerJoin('bookings as b', 'b.id', 't.booking_id'); sql`update budget_lines set x = 1; insert into ledger_entries select 1 from payment_requests`"
  t.same(
    tableReferences('sample.ts', sample, tableSet).map(({ table }) => table).sort(),
    ['bookings', 'budget_lines', 'ledger_entries', 'payment_requests', 'tickets'],
  )
})
