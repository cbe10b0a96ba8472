import { sql, type Kysely, type Selectable } from 'kysely'
import type { BudgetCategory, BudgetLinesTable, CostKind, DB, ProjectsTable } from '../../db/schema.js'
import { ProblemError, unprocessable } from '../../shared/problems.js'
import { COST_KIND_CATEGORIES } from './schemas.js'
import { UUID_PATTERN } from '../../shared/ids.js'
import { findRow } from '../../shared/rows.js'

/**
 * What other modules need from projects: whether a case may be attached to a project, and
 * which budget line a cost of some kind is charged to. Everything here takes the caller's
 * transaction, so the checks hold for the write that follows them.
 */

export type { BudgetCategory, CostKind }
export type ProjectRow = Selectable<ProjectsTable>
export type BudgetLineRow = Selectable<BudgetLinesTable>

/** The project, or undefined when there is none with that id. `forUpdate` locks its row. */
export async function findProjectRow(db: Kysely<DB>, projectId: string, options: { forUpdate?: boolean } = {}): Promise<ProjectRow | undefined> {
  if (!UUID_PATTERN.test(projectId)) return undefined
  return findRow(db, 'projects', { id: projectId }, options)
}

/**
 * A case may be attached to a project only while the project is active and its period
 * covers the case (`onDate`, an ISO date). Otherwise 422 `unprocessable-entity` pointing at
 * `/body/project_id`. Locks the project row against a concurrent close (FOR SHARE).
 */
export async function assertProjectAcceptsCase(db: Kysely<DB>, projectId: string, onDate: string): Promise<void> {
  const refuse = (detail: string) => unprocessable(detail, [{ pointer: '/body/project_id', detail }])
  if (!UUID_PATTERN.test(projectId)) throw refuse(`Project ${projectId} does not exist`)
  const project = await db
    .selectFrom('projects')
    .select(['id', 'code', 'status', 'starts_on', 'ends_on'])
    .where('id', '=', projectId)
    .forShare()
    .executeTakeFirst()
  if (!project) throw refuse(`Project ${projectId} does not exist`)
  if (project.status !== 'active') throw refuse(`Project ${project.code} is ${project.status}; cases can be attached only to an active project`)
  if (onDate < project.starts_on || onDate > project.ends_on) {
    throw refuse(`Project ${project.code} runs from ${project.starts_on} to ${project.ends_on}, which does not cover ${onDate}`)
  }
}

/**
 * The budget line a cost of `kind` is charged to: the one place that decides it. The project's
 * first line (in creation order) of the kind's own category (COST_KIND_CATEGORIES), else its
 * first line of the fallback category the project declares for the kind (`cost_routing`), in
 * one statement. 409 `no-budget-line-for-cost` naming the kind, its category and the fallback
 * (or that there is none) when neither exists. `forUpdate` locks the line's row.
 */
export async function budgetLineForCost(
  db: Kysely<DB>,
  projectId: string,
  kind: CostKind,
  options: { forUpdate?: boolean } = {},
): Promise<BudgetLineRow> {
  const category = COST_KIND_CATEGORIES[kind]
  if (UUID_PATTERN.test(projectId)) {
    let query = db
      .selectFrom('budget_lines as line')
      .innerJoin('projects as project', 'project.id', 'line.project_id')
      .selectAll('line')
      .where('line.project_id', '=', projectId)
      .where((eb) => eb.or([eb('line.category', '=', category), eb('line.category', '=', sql<BudgetCategory>`project.cost_routing ->> ${kind}::text`)]))
      .orderBy(sql`line.category = ${category}::text`, 'desc')
      .orderBy('line.id')
      .limit(1)
    if (options.forUpdate) query = query.forUpdate('line')
    const line = await query.executeTakeFirst()
    if (line) return line
  }
  const project = await findProjectRow(db, projectId)
  const fallback = project?.cost_routing[kind] ?? null
  throw new ProblemError(
    'no-budget-line-for-cost',
    `Project ${project?.code ?? projectId} has no ${category} budget line to charge a ${kind} cost to` +
      (fallback ? `, nor a ${fallback} line its cost routing falls back to` : ', and its cost routing names no fallback for it'),
    { project_id: projectId, cost_kind: kind, category, fallback_category: fallback },
  )
}
