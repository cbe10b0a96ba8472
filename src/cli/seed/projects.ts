import type { Kysely } from 'kysely'
import type { DB } from '../../db/schema.js'
import type { RequestContext } from '../../shared/context.js'
import {
  createBudgetLine,
  createProject,
  findProjectByCode,
  transitionProject,
  type CreateBudgetLineInput,
  type CreateProjectInput,
} from '../../modules/projects/index.js'

export const SEED_PROJECT_CODE = 'LT-REINT-2010'

const EUR = (amount_minor: number) => ({ amount_minor, currency: 'EUR' })

/**
 * The 2010–2011 reintegration project of the seed documents: EUR 38,037 from 1 July 2010 to
 * 30 June 2011, 75 % from the EU; six returnees (four Georgians, an Iraqi family of two). Its
 * budget has lines for travel, cash grants and in-kind assistance only, so excess baggage,
 * insurance and accommodation are routed to the travel line (`cost_routing`). The split between
 * the lines, the cash-grant rule and the approval threshold are illustrative (the documents give
 * only the total); the lines add up to the total.
 */
export const SEED_PROJECT: CreateProjectInput = {
  code: SEED_PROJECT_CODE,
  title: 'Reintegration assistance for migrants returning voluntarily from Lithuania',
  starts_on: '2010-07-01',
  ends_on: '2011-06-30',
  total: EUR(3_803_700),
  co_funders: [
    { name: 'European Union (European Return Fund)', share_bp: 7500 },
    { name: 'State budget of the Republic of Lithuania', share_bp: 2500 },
  ],
  targets: { persons: 6, individuals: 4, families: 1 },
  second_approval_threshold: EUR(150_000),
  cash_grant_rule: { kind: 'per_person', adult: EUR(20_000), child: EUR(10_000) },
  cost_routing: { excess_baggage: 'travel', insurance: 'travel', accommodation: 'travel' },
}

/** The well-known ids of the seed project and its lines, named by the spec's request examples (ADR 0054). */
export const SEED_PROJECT_IDS = {
  project: '0193a0b4-2a3b-7c4d-8e5f-6a7b8c9d0e1f',
  travel: '0193a0b4-2b3c-7d4e-8f5a-6b7c8d9e0f1a',
  cashGrant: '0193a0b4-2b3c-7d4e-8f5a-6b7c8d9e0f2a',
  inKind: '0193a0b4-2b3c-7d4e-8f5a-6b7c8d9e0f3a',
} as const

export const SEED_BUDGET_LINES: Array<CreateBudgetLineInput & { id: string }> = [
  { id: SEED_PROJECT_IDS.travel, category: 'travel', name: 'Travel: tickets, transit, excess baggage, insurance, accommodation', allocated: EUR(640_000) },
  { id: SEED_PROJECT_IDS.cashGrant, category: 'cash_grant', name: 'Cash grants on arrival', allocated: EUR(120_000) },
  { id: SEED_PROJECT_IDS.inKind, category: 'in_kind_reintegration', name: 'In-kind reintegration assistance, counselling and monitoring', allocated: EUR(3_043_700) },
]

/**
 * Creates the seed project with its budget lines (with their well-known ids) and activates it, in one
 * transaction, unless a project with its code exists already (then nothing is changed).
 */
export async function seedProjects(db: Kysely<DB>, context: RequestContext): Promise<{ projectId: string; created: boolean }> {
  const existing = await findProjectByCode(db, SEED_PROJECT_CODE)
  if (existing) return { projectId: existing.id, created: false }
  const projectId = await db.transaction().execute(async (trx) => {
    const project = await createProject(trx, context, SEED_PROJECT, { id: SEED_PROJECT_IDS.project })
    for (const { id, ...line } of SEED_BUDGET_LINES) await createBudgetLine(trx, context, project.id, line, { id })
    await transitionProject(trx, context, project.id, 'activate', undefined, null)
    return project.id
  })
  return { projectId, created: true }
}
