import { sql, type Insertable, type Kysely, type Updateable, type Transaction } from 'kysely'
import type { BudgetLinesTable, DB, ProjectsTable } from '../../db/schema.js'
import { paginate, type Page } from '../../shared/pagination.js'
import type { BudgetLineRow, ProjectRow } from './access.js'
import type { BudgetLineListFilter, BudgetLineRecord, CashGrantRuleRecord, CoFunderRecord, ProjectListFilter, ProjectRecord } from './schemas.js'
import { updateVersioned, findRow, insertRow } from '../../shared/rows.js'
import { money } from '../../shared/money.js'


function cashGrantRuleOf(row: ProjectRow): CashGrantRuleRecord | null {
  if (row.cash_grant_rule_kind === 'per_person') {
    return { kind: 'per_person', adult: money(row.cash_grant_adult_minor ?? 0, row.currency), child: money(row.cash_grant_child_minor ?? 0, row.currency) }
  }
  if (row.cash_grant_rule_kind === 'per_household') return { kind: 'per_household', flat: money(row.cash_grant_flat_minor ?? 0, row.currency) }
  return null
}

/** The columns that hold a cash grant rule (all null when there is none). */
export function cashGrantColumns(rule: CashGrantRuleRecord | null) {
  return {
    cash_grant_rule_kind: rule?.kind ?? null,
    cash_grant_adult_minor: rule?.kind === 'per_person' ? rule.adult.amount_minor : null,
    cash_grant_child_minor: rule?.kind === 'per_person' ? rule.child.amount_minor : null,
    cash_grant_flat_minor: rule?.kind === 'per_household' ? rule.flat.amount_minor : null,
  }
}

export function toProject(row: ProjectRow, coFunders: CoFunderRecord[], allocatedMinor: number): ProjectRecord {
  return {
    id: row.id,
    code: row.code,
    title: row.title,
    starts_on: row.starts_on,
    ends_on: row.ends_on,
    total: money(row.total_minor, row.currency),
    co_funders: coFunders,
    targets: {
      persons: row.target_persons,
      individuals: row.target_individuals,
      families: row.target_families,
      children: row.target_children,
      vulnerable: row.target_vulnerable,
    },
    second_approval_threshold: row.second_approval_threshold_minor === null ? null : money(row.second_approval_threshold_minor, row.currency),
    cash_grant_rule: cashGrantRuleOf(row),
    contact_period: { months: row.contact_period_months, days: row.contact_period_days },
    cost_routing: row.cost_routing,
    currency: row.currency,
    status: row.status,
    allocated: money(allocatedMinor, row.currency),
    version: row.version,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  }
}

export function toBudgetLine(row: BudgetLineRow): BudgetLineRecord {
  return {
    id: row.id,
    project_id: row.project_id,
    category: row.category,
    name: row.name,
    allocated: money(row.allocated_minor, row.currency),
    committed: money(row.committed_minor, row.currency),
    spent: money(row.spent_minor, row.currency),
    available: money(row.allocated_minor - row.committed_minor - row.spent_minor, row.currency),
    version: row.version,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  }
}

export async function insertProject(db: Kysely<DB>, values: Insertable<ProjectsTable>): Promise<ProjectRow> {
  return insertRow(db, 'projects', values)
}

export async function updateProjectRow(db: Kysely<DB>, id: string, changes: Updateable<ProjectsTable>): Promise<ProjectRow> {
  return updateVersioned(db, 'projects', id, changes)
}

export async function codeTaken(db: Kysely<DB>, code: string, exceptId?: string): Promise<boolean> {
  let query = db.selectFrom('projects').select('id').where('code', '=', code)
  if (exceptId) query = query.where('id', '<>', exceptId)
  return (await query.executeTakeFirst()) !== undefined
}

export async function replaceCoFunders(db: Kysely<DB>, projectId: string, coFunders: CoFunderRecord[]): Promise<void> {
  await db.deleteFrom('project_co_funders').where('project_id', '=', projectId).execute()
  await db
    .insertInto('project_co_funders')
    .values(coFunders.map((coFunder, position) => ({ project_id: projectId, position, name: coFunder.name, share_bp: coFunder.share_bp })))
    .execute()
}

async function coFundersOf(db: Kysely<DB>, projectIds: string[]): Promise<Map<string, CoFunderRecord[]>> {
  const byProject = new Map<string, CoFunderRecord[]>()
  if (projectIds.length === 0) return byProject
  const rows = await db
    .selectFrom('project_co_funders')
    .select(['project_id', 'name', 'share_bp'])
    .where('project_id', 'in', projectIds)
    .orderBy('project_id')
    .orderBy('position')
    .execute()
  for (const row of rows) {
    const list = byProject.get(row.project_id) ?? []
    list.push({ name: row.name, share_bp: row.share_bp })
    byProject.set(row.project_id, list)
  }
  return byProject
}

/** Sum of the allocations of each project's lines. */
export async function allocatedOf(db: Kysely<DB>, projectIds: string[]): Promise<Map<string, number>> {
  if (projectIds.length === 0) return new Map()
  const rows = await db
    .selectFrom('budget_lines')
    .select('project_id')
    .select(sql<number>`sum(allocated_minor)::bigint`.as('allocated_minor'))
    .where('project_id', 'in', projectIds)
    .groupBy('project_id')
    .execute()
  return new Map(rows.map((row) => [row.project_id, Number(row.allocated_minor)]))
}

async function assemble(db: Kysely<DB>, rows: ProjectRow[]): Promise<ProjectRecord[]> {
  const ids = rows.map((row) => row.id)
  const [coFunders, allocated] = await Promise.all([coFundersOf(db, ids), allocatedOf(db, ids)])
  return rows.map((row) => toProject(row, coFunders.get(row.id) ?? [], allocated.get(row.id) ?? 0))
}

export async function projectRecord(db: Kysely<DB>, row: ProjectRow): Promise<ProjectRecord> {
  const [record] = await assemble(db, [row])
  return record as ProjectRecord
}

export async function listProjects(db: Kysely<DB>, filter: ProjectListFilter): Promise<Page<ProjectRecord>> {
  let query = db.selectFrom('projects').selectAll()
  if (filter.status) query = query.where('status', '=', filter.status)
  return paginate(query, filter, (rows) => assemble(db, rows))
}

export async function findLine(db: Kysely<DB>, projectId: string, lineId: string, options: { forUpdate?: boolean } = {}): Promise<BudgetLineRow | undefined> {
  return findRow(db, 'budget_lines', { id: lineId, project_id: projectId }, options)
}

/** Locks the given lines of a project in id order (the order every multi-line write uses, so they never deadlock). */
export async function lockLines(db: Transaction<DB>, projectId: string, lineIds: string[]): Promise<BudgetLineRow[]> {
  return db.selectFrom('budget_lines').selectAll().where('project_id', '=', projectId).where('id', 'in', lineIds).orderBy('id').forUpdate().execute()
}

export async function lockAllLines(db: Transaction<DB>, projectId: string): Promise<BudgetLineRow[]> {
  return db.selectFrom('budget_lines').selectAll().where('project_id', '=', projectId).orderBy('id').forUpdate().execute()
}

export async function lineNameTaken(db: Kysely<DB>, projectId: string, name: string, exceptId?: string): Promise<boolean> {
  let query = db.selectFrom('budget_lines').select('id').where('project_id', '=', projectId).where('name', '=', name)
  if (exceptId) query = query.where('id', '<>', exceptId)
  return (await query.executeTakeFirst()) !== undefined
}

export async function insertLine(db: Kysely<DB>, values: Insertable<BudgetLinesTable>): Promise<BudgetLineRow> {
  return insertRow(db, 'budget_lines', values)
}

export async function updateLine(db: Kysely<DB>, id: string, changes: Updateable<BudgetLinesTable>): Promise<BudgetLineRow> {
  return updateVersioned(db, 'budget_lines', id, changes)
}

export async function setLinesAcceptCommitments(db: Kysely<DB>, projectId: string, accepts: boolean): Promise<void> {
  await db.updateTable('budget_lines').set({ accepts_commitments: accepts }).where('project_id', '=', projectId).execute()
}

export async function listLines(db: Kysely<DB>, projectId: string, filter: BudgetLineListFilter): Promise<Page<BudgetLineRecord>> {
  let query = db.selectFrom('budget_lines').selectAll().where('project_id', '=', projectId)
  if (filter.category) query = query.where('category', '=', filter.category)
  return paginate(query, filter, (rows) => rows.map(toBudgetLine))
}

export async function allLines(db: Kysely<DB>, projectId: string): Promise<BudgetLineRow[]> {
  return db.selectFrom('budget_lines').selectAll().where('project_id', '=', projectId).orderBy('id').execute()
}

export async function projectCoFunders(db: Kysely<DB>, projectId: string): Promise<CoFunderRecord[]> {
  return (await coFundersOf(db, [projectId])).get(projectId) ?? []
}

export async function findProjectByCode(db: Kysely<DB>, code: string): Promise<ProjectRow | undefined> {
  return db.selectFrom('projects').selectAll().where('code', '=', code).executeTakeFirst()
}

export async function findBudgetLineById(db: Kysely<DB>, lineId: string): Promise<BudgetLineRow | undefined> {
  return db.selectFrom('budget_lines').selectAll().where('id', '=', lineId).executeTakeFirst()
}

/**
 * Locks budget lines in id order (the order every multi-line write uses, so they never deadlock):
 * while the caller's transaction runs, no ledger entry can move their balances.
 */
export async function lockBudgetLines(db: Transaction<DB>, lineIds: readonly string[]): Promise<void> {
  if (lineIds.length === 0) return
  await db.selectFrom('budget_lines').select('id').where('id', 'in', [...lineIds]).orderBy('id').forUpdate().execute()
}
