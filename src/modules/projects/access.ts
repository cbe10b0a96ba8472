import type { Kysely, Selectable } from 'kysely'
import type { BudgetCategory, BudgetLinesTable, DB, ProjectsTable } from '../../db/schema.js'
import { ProblemError, unprocessable } from '../../shared/problems.js'
import { UUID_PATTERN } from '../../shared/ids.js'

/**
 * What other modules need from projects: whether a case may be attached to a project, and
 * which budget line a cost of some category is charged to. Everything here takes the caller's
 * transaction, so the checks hold for the write that follows them.
 */

export type { BudgetCategory }
export type ProjectRow = Selectable<ProjectsTable>
export type BudgetLineRow = Selectable<BudgetLinesTable>

/** The project, or undefined when there is none with that id. `forUpdate` locks its row. */
export async function findProjectRow(db: Kysely<DB>, projectId: string, options: { forUpdate?: boolean } = {}): Promise<ProjectRow | undefined> {
  if (!UUID_PATTERN.test(projectId)) return undefined
  let query = db.selectFrom('projects').selectAll().where('id', '=', projectId)
  if (options.forUpdate) query = query.forUpdate()
  return query.executeTakeFirst()
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
 * The budget line a cost of `category` is charged to: the project's first line of that
 * category (lines are ordered by creation). 409 `conflict` when the project has none.
 * `forUpdate` locks the line's row.
 */
export async function findBudgetLine(
  db: Kysely<DB>,
  projectId: string,
  category: BudgetCategory,
  options: { forUpdate?: boolean } = {},
): Promise<BudgetLineRow> {
  let line: BudgetLineRow | undefined
  if (UUID_PATTERN.test(projectId)) {
    let query = db.selectFrom('budget_lines').selectAll().where('project_id', '=', projectId).where('category', '=', category).orderBy('id').limit(1)
    if (options.forUpdate) query = query.forUpdate()
    line = await query.executeTakeFirst()
  }
  if (!line) {
    throw new ProblemError('conflict', `Project ${projectId} has no budget line of category ${category} to charge this cost to`, {
      project_id: projectId,
      category,
    })
  }
  return line
}
