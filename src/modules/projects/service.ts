import type { Kysely, Updateable, Transaction } from 'kysely'
import type { DB, ProjectsTable } from '../../db/schema.js'
import { recordAudit, recordChange } from '../../shared/audit.js'
import type { RequestContext } from '../../shared/context.js'
import { assertVersion } from '../../shared/etag.js'
import { newId, type FixedId } from '../../shared/ids.js'
import { emitEvent } from '../../shared/outbox.js'
import { ProblemError, conflict, notFound, unprocessable } from '../../shared/problems.js'
import { findProjectRow, type BudgetLineRow, type ProjectRow } from './access.js'
import * as repository from './repository.js'
import type {
  BudgetLineRecord,
  CashGrantRuleRecord,
  CostRoutingRecord,
  CoFunderRecord,
  ContactPeriodRecord,
  CreateBudgetLineInput,
  CreateProjectInput,
  ProjectRecord,
  ProjectTargetsRecord,
  ReallocationInput,
  UpdateBudgetLineInput,
  UpdateProjectInput,
} from './schemas.js'
import { COST_KIND_CATEGORIES } from './schemas.js'
import { FULL_SHARE_BP } from './shares.js'
import { projectWorkflow, type ProjectAction } from './transitions.js'
import { money, type Money } from '../../shared/money.js'

type FieldError = { pointer: string; detail: string }


/** A returnee contacts the partner office within one calendar month of arrival unless the project says otherwise. */
const DEFAULT_CONTACT_PERIOD: ContactPeriodRecord = { months: 1, days: 0 }

const NO_TARGETS: ProjectTargetsRecord = { persons: null, individuals: null, families: null, children: null, vulnerable: null }

/** The project's settings as they will be after a create or an update, checked together. */
interface ProjectSettings {
  starts_on: string
  ends_on: string
  total: Money
  co_funders?: CoFunderRecord[]
  targets: ProjectTargetsRecord
  second_approval_threshold: Money | null
  cash_grant_rule: CashGrantRuleRecord | null
  contact_period: ContactPeriodRecord
  cost_routing: CostRoutingRecord
}

function validateSettings(settings: ProjectSettings): void {
  const errors: FieldError[] = []
  if (settings.ends_on < settings.starts_on) errors.push({ pointer: '/body/ends_on', detail: `must be on or after starts_on (${settings.starts_on})` })
  if (settings.co_funders) {
    const sum = settings.co_funders.reduce((total, coFunder) => total + coFunder.share_bp, 0)
    if (sum !== FULL_SHARE_BP) errors.push({ pointer: '/body/co_funders', detail: `shares must sum to exactly ${FULL_SHARE_BP} basis points (100 %), not ${sum}` })
    const seen = new Set<string>()
    settings.co_funders.forEach((coFunder, index) => {
      if (seen.has(coFunder.name)) errors.push({ pointer: `/body/co_funders/${index}/name`, detail: `${coFunder.name} is listed twice` })
      seen.add(coFunder.name)
    })
  }
  for (const [kind, category] of Object.entries(settings.cost_routing) as Array<[keyof typeof COST_KIND_CATEGORIES, string]>) {
    if (category === COST_KIND_CATEGORIES[kind]) errors.push({ pointer: `/body/cost_routing/${kind}`, detail: `a fallback must be another category than ${category}, the kind's own` })
  }
  const { persons, individuals, families, children, vulnerable } = settings.targets
  if (persons !== null && (individuals ?? 0) + (families ?? 0) > persons) {
    errors.push({ pointer: '/body/targets', detail: `individuals plus families (${(individuals ?? 0) + (families ?? 0)}) cannot exceed persons (${persons})` })
  }
  for (const [field, value] of [['children', children], ['vulnerable', vulnerable]] as const) {
    if (persons !== null && value !== null && value > persons) errors.push({ pointer: `/body/targets/${field}`, detail: `${field} (${value}) cannot exceed persons (${persons})` })
  }
  if (settings.contact_period.months === 0 && settings.contact_period.days === 0) {
    errors.push({ pointer: '/body/contact_period', detail: 'months or days must be more than zero' })
  }
  if (errors.length > 0) throw new ProblemError('validation-error', 'One or more fields are not valid', { errors })

  const currency = settings.total.currency
  const amounts: Array<[string, Money]> = []
  if (settings.second_approval_threshold) amounts.push(['/body/second_approval_threshold/currency', settings.second_approval_threshold])
  const rule = settings.cash_grant_rule
  if (rule?.kind === 'per_person') amounts.push(['/body/cash_grant_rule/adult/currency', rule.adult], ['/body/cash_grant_rule/child/currency', rule.child])
  if (rule?.kind === 'per_household') amounts.push(['/body/cash_grant_rule/flat/currency', rule.flat])
  const mismatched = amounts.filter(([, amount]) => amount.currency !== currency)
  if (mismatched.length > 0) {
    throw new ProblemError('currency-mismatch', `Every amount of the project must be in its currency, ${currency}`, {
      expected_currency: currency,
      errors: mismatched.map(([pointer]) => ({ pointer, detail: `must be ${currency}` })),
    })
  }
}

function settingsColumns(settings: ProjectSettings) {
  return {
    starts_on: settings.starts_on,
    ends_on: settings.ends_on,
    currency: settings.total.currency,
    total_minor: settings.total.amount_minor,
    second_approval_threshold_minor: settings.second_approval_threshold?.amount_minor ?? null,
    ...repository.cashGrantColumns(settings.cash_grant_rule),
    cost_routing: JSON.stringify(settings.cost_routing),
    target_persons: settings.targets.persons,
    target_individuals: settings.targets.individuals,
    target_families: settings.targets.families,
    target_children: settings.targets.children,
    target_vulnerable: settings.targets.vulnerable,
    contact_period_months: settings.contact_period.months,
    contact_period_days: settings.contact_period.days,
  }
}

async function assertCodeFree(db: Kysely<DB>, code: string, exceptId?: string): Promise<void> {
  if (await repository.codeTaken(db, code, exceptId)) {
    throw new ProblemError('duplicate-resource', `A project with code ${code} already exists`, { errors: [{ pointer: '/body/code', detail: 'already in use' }] })
  }
}

async function lockProject(db: Transaction<DB>, id: string): Promise<ProjectRow> {
  const project = await findProjectRow(db, id, { forUpdate: true })
  if (!project) throw notFound('Project', id)
  return project
}

function assertNotClosed(project: ProjectRow): void {
  if (project.status === 'closed') throw conflict(`Project ${project.code} is closed and read-only`, { current_status: project.status })
}

export async function createProject(db: Transaction<DB>, context: RequestContext, input: CreateProjectInput, options: FixedId = {}): Promise<ProjectRecord> {
  const settings: ProjectSettings = {
    starts_on: input.starts_on,
    ends_on: input.ends_on,
    total: input.total,
    co_funders: input.co_funders,
    targets: { ...NO_TARGETS, ...input.targets },
    second_approval_threshold: input.second_approval_threshold ?? null,
    cash_grant_rule: input.cash_grant_rule ?? null,
    contact_period: input.contact_period ?? DEFAULT_CONTACT_PERIOD,
    cost_routing: input.cost_routing ?? {},
  }
  validateSettings(settings)
  await assertCodeFree(db, input.code)
  const row = await repository.insertProject(db, { id: options.id ?? newId(), code: input.code, title: input.title, ...settingsColumns(settings) })
  await repository.replaceCoFunders(db, row.id, input.co_funders)
  const project = repository.toProject(row, input.co_funders, 0)
  await recordChange(db, context, { action: 'project.created', entityType: 'project', entityId: project.id, after: project, payload: project })
  return project
}

export async function getProject(db: Kysely<DB>, id: string): Promise<ProjectRecord> {
  const row = await findProjectRow(db, id)
  if (!row) throw notFound('Project', id)
  return repository.projectRecord(db, row)
}

export async function updateProject(
  db: Transaction<DB>,
  context: RequestContext,
  id: string,
  expectedVersion: number | undefined,
  changes: UpdateProjectInput,
): Promise<ProjectRecord> {
  const row = await lockProject(db, id)
  assertVersion(row.version, expectedVersion)
  assertNotClosed(row)
  const before = await repository.projectRecord(db, row)
  const settings: ProjectSettings = {
    starts_on: changes.starts_on ?? before.starts_on,
    ends_on: changes.ends_on ?? before.ends_on,
    total: changes.total ?? before.total,
    co_funders: changes.co_funders,
    targets: { ...before.targets, ...changes.targets },
    second_approval_threshold: changes.second_approval_threshold === undefined ? before.second_approval_threshold : changes.second_approval_threshold,
    cash_grant_rule: changes.cash_grant_rule === undefined ? before.cash_grant_rule : changes.cash_grant_rule,
    contact_period: changes.contact_period ?? before.contact_period,
    cost_routing: changes.cost_routing ?? before.cost_routing,
  }
  validateSettings(settings)

  const allocated = before.allocated.amount_minor
  const hasLines = (await repository.allLines(db, id)).length > 0
  if (changes.code !== undefined && changes.code !== row.code) {
    if (row.status !== 'planned') throw conflict(`The code of project ${row.code} is fixed once it is ${row.status}`, { current_status: row.status })
    await assertCodeFree(db, changes.code, id)
  }
  if (settings.total.currency !== row.currency && (row.status !== 'planned' || hasLines)) {
    throw new ProblemError('currency-mismatch', `Project ${row.code} is kept in ${row.currency}; its currency changes only while it is planned and has no budget lines`, {
      expected_currency: row.currency,
      errors: [{ pointer: '/body/total/currency', detail: `must be ${row.currency}` }],
    })
  }
  if (settings.total.amount_minor < allocated) {
    throw new ProblemError('project-budget-exceeded', `Project ${row.code} has ${allocated} minor units allocated to budget lines; the total cannot be less`, {
      allocated: money(allocated, row.currency),
      errors: [{ pointer: '/body/total/amount_minor', detail: `must be at least ${allocated}` }],
    })
  }

  const columns: Updateable<ProjectsTable> = { ...settingsColumns(settings) }
  if (changes.code !== undefined) columns.code = changes.code
  if (changes.title !== undefined) columns.title = changes.title
  const updatedRow = await repository.updateProjectRow(db, id, columns)
  if (changes.co_funders) await repository.replaceCoFunders(db, id, changes.co_funders)
  const after = repository.toProject(updatedRow, changes.co_funders ?? before.co_funders, allocated)
  await recordChange(db, context, { action: 'project.updated', entityType: 'project', entityId: id, before, after, payload: after })
  return after
}

/**
 * `activate` opens the project's lines for commitments; `close` shuts them, and is refused
 * while any line still has money committed (settle or release it first), so a closed
 * project's books are final.
 */
export async function transitionProject(
  db: Transaction<DB>,
  context: RequestContext,
  id: string,
  action: ProjectAction,
  expectedVersion: number | undefined,
  reason: string | null,
): Promise<ProjectRecord> {
  const row = await lockProject(db, id)
  assertVersion(row.version, expectedVersion)
  const transition = projectWorkflow.transition(action, row.status, context.actor, reason)
  const lines = await repository.lockAllLines(db, id)
  if (action === 'close') {
    const open = lines.filter((line) => line.committed_minor > 0)
    if (open.length > 0) {
      throw conflict(`Project ${row.code} still has money committed on ${open.length} budget line(s); spend or release it before closing`, {
        open_commitments: open.map((line) => ({ budget_line_id: line.id, committed: money(line.committed_minor, line.currency) })),
      })
    }
  }
  const before = await repository.projectRecord(db, row)
  const updatedRow = await repository.updateProjectRow(db, id, { status: transition.to })
  await repository.setLinesAcceptCommitments(db, id, transition.to === 'active')
  const after = repository.toProject(updatedRow, before.co_funders, before.allocated.amount_minor)
  const action_ = action === 'activate' ? 'project.activated' : 'project.closed'
  await recordChange(db, context, {
    action: action_,
    entityType: 'project',
    entityId: id,
    before: { status: transition.from },
    after: { status: transition.to, reason },
    payload: { ...after, reason },
  })
  return after
}

function assertProjectCurrency(project: ProjectRow, amount: Money, pointer: string): void {
  if (amount.currency !== project.currency) {
    throw new ProblemError('currency-mismatch', `Project ${project.code} is kept in ${project.currency}, not ${amount.currency}`, {
      expected_currency: project.currency,
      errors: [{ pointer, detail: `must be ${project.currency}` }],
    })
  }
}

async function assertLineNameFree(db: Kysely<DB>, projectId: string, name: string, exceptId?: string): Promise<void> {
  if (await repository.lineNameTaken(db, projectId, name, exceptId)) {
    throw new ProblemError('duplicate-resource', `The project already has a budget line named ${name}`, { errors: [{ pointer: '/body/name', detail: 'already in use' }] })
  }
}

/** Allocations are changed only under the project's row lock, so two of them cannot both fit the same unallocated money. */
function assertWithinTotal(project: ProjectRow, allocatedElsewhere: number, wanted: number): void {
  if (allocatedElsewhere + wanted > project.total_minor) {
    const unallocated = project.total_minor - allocatedElsewhere
    throw new ProblemError(
      'project-budget-exceeded',
      `Project ${project.code} has ${unallocated} of ${project.total_minor} minor units unallocated; ${wanted} cannot be allocated to this line`,
      {
        total: money(project.total_minor, project.currency),
        unallocated: money(unallocated, project.currency),
        errors: [{ pointer: '/body/allocated/amount_minor', detail: `must be at most ${unallocated}` }],
      },
    )
  }
}

function lineAudit(line: BudgetLineRow) {
  return { category: line.category, name: line.name, allocated_minor: line.allocated_minor, currency: line.currency }
}

export async function createBudgetLine(
  db: Transaction<DB>,
  context: RequestContext,
  projectId: string,
  input: CreateBudgetLineInput,
  options: FixedId = {},
): Promise<BudgetLineRecord> {
  const project = await lockProject(db, projectId)
  assertNotClosed(project)
  assertProjectCurrency(project, input.allocated, '/body/allocated/currency')
  const allocated = (await repository.allocatedOf(db, [projectId])).get(projectId) ?? 0
  assertWithinTotal(project, allocated, input.allocated.amount_minor)
  await assertLineNameFree(db, projectId, input.name)
  const line = await repository.insertLine(db, {
    id: options.id ?? newId(),
    project_id: projectId,
    category: input.category,
    name: input.name,
    currency: project.currency,
    accepts_commitments: project.status === 'active',
    allocated_minor: input.allocated.amount_minor,
  })
  const record = repository.toBudgetLine(line)
  await recordChange(db, context, { action: 'budget_line.created', entityType: 'budget_line', entityId: line.id, after: lineAudit(line), payload: record })
  return record
}

export async function getBudgetLine(db: Kysely<DB>, projectId: string, lineId: string): Promise<BudgetLineRecord> {
  const line = await repository.findLine(db, projectId, lineId)
  if (!line) throw notFound('Budget line', lineId)
  return repository.toBudgetLine(line)
}

function exhausted(line: BudgetLineRow, wanted: number, detail: string): ProblemError {
  const available = line.allocated_minor - line.committed_minor - line.spent_minor
  return new ProblemError('budget-line-exhausted', detail, {
    budget_line_id: line.id,
    available: money(available, line.currency),
    requested: money(wanted, line.currency),
    committed: money(line.committed_minor, line.currency),
    spent: money(line.spent_minor, line.currency),
  })
}

export async function updateBudgetLine(
  db: Transaction<DB>,
  context: RequestContext,
  projectId: string,
  lineId: string,
  expectedVersion: number | undefined,
  changes: UpdateBudgetLineInput,
): Promise<BudgetLineRecord> {
  const project = await lockProject(db, projectId)
  const line = await repository.findLine(db, projectId, lineId, { forUpdate: true })
  if (!line) throw notFound('Budget line', lineId)
  assertVersion(line.version, expectedVersion)
  assertNotClosed(project)
  if (changes.name !== undefined && changes.name !== line.name) await assertLineNameFree(db, projectId, changes.name, lineId)
  if (changes.allocated) {
    assertProjectCurrency(project, changes.allocated, '/body/allocated/currency')
    const wanted = changes.allocated.amount_minor
    const floor = line.committed_minor + line.spent_minor
    if (wanted < floor) {
      throw exhausted(line, line.allocated_minor - wanted, `Budget line ${line.name} has ${floor} minor units committed and spent; its allocation cannot go below that`)
    }
    const allocated = (await repository.allocatedOf(db, [projectId])).get(projectId) ?? 0
    assertWithinTotal(project, allocated - line.allocated_minor, wanted)
  }
  const updated = await repository.updateLine(db, lineId, {
    ...(changes.name !== undefined ? { name: changes.name } : {}),
    ...(changes.allocated ? { allocated_minor: changes.allocated.amount_minor } : {}),
  })
  const record = repository.toBudgetLine(updated)
  await recordChange(db, context, { action: 'budget_line.updated', entityType: 'budget_line', entityId: lineId, before: lineAudit(line), after: lineAudit(updated), payload: record })
  return record
}

/**
 * Moves allocation from one line of a project to another. The project and both lines are
 * locked (lines in id order), and the source line keeps at least what it has committed and
 * spent: its available balance must cover the amount, or 409 `budget-line-exhausted`.
 */
export async function reallocate(
  db: Transaction<DB>,
  context: RequestContext,
  projectId: string,
  input: ReallocationInput,
): Promise<{ from: BudgetLineRecord; to: BudgetLineRecord }> {
  if (input.from_line_id === input.to_line_id) {
    throw new ProblemError('validation-error', 'Money can only be moved between two different lines', {
      errors: [{ pointer: '/body/to_line_id', detail: 'must differ from from_line_id' }],
    })
  }
  if (input.amount.amount_minor <= 0) {
    throw new ProblemError('validation-error', 'The amount to move must be positive', { errors: [{ pointer: '/body/amount/amount_minor', detail: 'must be greater than 0' }] })
  }
  const project = await lockProject(db, projectId)
  assertNotClosed(project)
  assertProjectCurrency(project, input.amount, '/body/amount/currency')
  const lines = await repository.lockLines(db, projectId, [input.from_line_id, input.to_line_id])
  const from = lines.find((line) => line.id === input.from_line_id)
  const to = lines.find((line) => line.id === input.to_line_id)
  const missing: FieldError[] = []
  if (!from) missing.push({ pointer: '/body/from_line_id', detail: `is not a budget line of project ${project.code}` })
  if (!to) missing.push({ pointer: '/body/to_line_id', detail: `is not a budget line of project ${project.code}` })
  if (!from || !to) throw unprocessable(`Both lines must belong to project ${project.code}`, missing)
  const amount = input.amount.amount_minor
  if (from.allocated_minor - from.committed_minor - from.spent_minor < amount) {
    throw exhausted(from, amount, `Budget line ${from.name} cannot give up ${amount} minor units without going below what it has committed and spent`)
  }
  const fromAfter = await repository.updateLine(db, from.id, { allocated_minor: from.allocated_minor - amount })
  const toAfter = await repository.updateLine(db, to.id, { allocated_minor: to.allocated_minor + amount })
  for (const [before, after] of [
    [from, fromAfter],
    [to, toAfter],
  ] as const) {
    await recordAudit(db, context, {
      action: 'budget_line.reallocated',
      entityType: 'budget_line',
      entityId: before.id,
      before: { allocated_minor: before.allocated_minor },
      after: { allocated_minor: after.allocated_minor, reason: input.reason, from_line_id: from.id, to_line_id: to.id },
    })
  }
  const result = { from: repository.toBudgetLine(fromAfter), to: repository.toBudgetLine(toAfter) }
  await emitEvent(db, {
    type: 'budget_line.reallocated',
    entityType: 'project',
    entityId: projectId,
    payload: { project_id: projectId, from_line_id: from.id, to_line_id: to.id, amount: input.amount, reason: input.reason },
  })
  return result
}
