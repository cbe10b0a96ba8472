import type { InjectOptions, LightMyRequestResponse } from 'fastify'
import type { Kysely } from 'kysely'
import type { CaseStatus, DB } from '../../src/db/schema.js'
import { buildTestApp, type TestApp } from '../helpers/app.js'
import { openContactDeadline, recordFirstContact } from '../../src/modules/reintegration/contact-deadlines.js'
import { findCase } from '../../src/modules/return-cases/index.js'

/**
 * Fixtures for the reintegration tests, built through the API as clients would (offices, an
 * active project with an in-kind reintegration line, approved cases referred to a partner office).
 * Only the return journey is short-cut: `markArrived` sets the case status directly, since these
 * tests are about what happens after arrival, not about travel.
 */

interface Teardown {
  teardown(fn: () => unknown): void
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = Record<string, any>
export type Caller = (options: InjectOptions) => Promise<LightMyRequestResponse>

export const EUR = (amount_minor: number) => ({ amount_minor, currency: 'EUR' })

/** Today plus some days, as an ISO date. */
export function isoDate(offsetDays = 0): string {
  const now = new Date()
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + offsetDays)).toISOString().slice(0, 10)
}

export interface Fixture extends TestApp {
  db: Kysely<DB>
  offices: { vilnius: string; tbilisi: string; baghdad: string }
  projectId: string
  inKindLineId: string
  /** Records cases and request forms. */
  counsellor: Caller
  /** Another counsellor: assesses. */
  assessor: Caller
  approver: Caller
  finance: Caller
  auditor: Caller
  admin: Caller
  /** Partner-office users of IOM Tbilisi and IOM Baghdad. */
  partnerTbilisi: Caller
  partnerBaghdad: Caller
}

export async function expectStatus(response: LightMyRequestResponse, status: number, what: string): Promise<Json> {
  if (response.statusCode !== status) throw new Error(`${what}: expected ${status}, got ${response.statusCode} ${response.body}`)
  return response.body ? (response.json() as Json) : {}
}

export async function reintegrationFixture(t: Teardown, options: { inKindMinor?: number } = {}): Promise<Fixture> {
  const testApp = await buildTestApp(t)
  const admin = testApp.as('ada', ['admin'])
  const finance = testApp.as('fiona', ['finance'])
  const office = async (payload: Record<string, string>) =>
    (await expectStatus(await admin({ method: 'POST', url: '/v1/offices', payload }), 201, 'office')).id as string
  const vilnius = await office({ code: 'VNO', name: 'IOM Vilnius', country: 'LT', kind: 'country_office' })
  const tbilisi = await office({ code: 'TBS', name: 'IOM Tbilisi', country: 'GE', kind: 'partner_office' })
  const baghdad = await office({ code: 'BGW', name: 'IOM Baghdad', country: 'IQ', kind: 'partner_office' })
  const project = await expectStatus(
    await finance({
      method: 'POST',
      url: '/v1/projects',
      payload: {
        code: 'LT-REINT-TEST',
        title: 'Reintegration assistance',
        starts_on: isoDate(-365),
        ends_on: isoDate(3 * 365),
        total: EUR(3_803_700),
        co_funders: [
          { name: 'European Union', share_bp: 7500 },
          { name: 'State budget', share_bp: 2500 },
        ],
      },
    }),
    201,
    'project',
  )
  const line = await expectStatus(
    await finance({
      method: 'POST',
      url: `/v1/projects/${project.id}/budget-lines`,
      payload: { category: 'in_kind_reintegration', name: 'In-kind reintegration', allocated: EUR(options.inKindMinor ?? 2_400_000) },
    }),
    201,
    'in-kind line',
  )
  await expectStatus(await finance({ method: 'POST', url: `/v1/projects/${project.id}:activate` }), 200, 'activate project')
  return {
    ...testApp,
    db: testApp.database.db,
    offices: { vilnius, tbilisi, baghdad },
    projectId: project.id,
    inKindLineId: line.id,
    counsellor: testApp.as('carla', ['counsellor']),
    assessor: testApp.as('cody', ['counsellor']),
    approver: testApp.as('abe', ['approver']),
    finance,
    auditor: testApp.as('audrey', ['auditor']),
    admin,
    partnerTbilisi: testApp.as('pat', ['partner'], tbilisi),
    partnerBaghdad: testApp.as('bashir', ['partner'], baghdad),
  }
}

export function person(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { relationship: 'principal', given_name: 'Giorgi', family_name: 'Beridze', sex: 'male', date_of_birth: '1978-03-14', nationality: 'GE', ...overrides }
}

/** A case taken to `approved` (and so referred to the one partner office of its country). */
export async function approvedCase(f: Fixture, overrides: Record<string, unknown> = {}): Promise<Json> {
  const created = await expectStatus(
    await f.counsellor({
      method: 'POST',
      url: '/v1/return-cases',
      payload: {
        office_id: f.offices.vilnius,
        project_id: f.projectId,
        legal_status: 'irregular_stay',
        referral_source: 'self',
        country_of_return: 'GE',
        place_of_return: 'Kutaisi',
        intended_departure_on: isoDate(30),
        consent: { given_at: '2026-01-10T10:00:00Z', given_by: 'principal applicant', scope: ['return_assistance', 'reintegration_assistance'] },
        members: [person()],
        ...overrides,
      },
    }),
    201,
    'create case',
  )
  for (const [caller, verb] of [
    [f.counsellor, 'submit'],
    [f.counsellor, 'start-counselling'],
    [f.approver, 'approve'],
  ] as const) {
    await expectStatus(await caller({ method: 'POST', url: `/v1/return-cases/${created.id}:${verb}`, payload: {} }), 200, verb)
  }
  return expectStatus(await f.counsellor({ method: 'GET', url: `/v1/return-cases/${created.id}` }), 200, 'read case')
}

/**
 * The returnees are back: what travel would record (tested with travel, not here), with the
 * contact deadline the arrival opens (arrived today unless `arrivedOn` says otherwise) and, unless
 * `contact: false`, the first contact recorded by the case's partner office on the arrival day.
 */
export async function markArrived(
  f: Fixture,
  caseId: string,
  status: CaseStatus = 'arrived',
  options: { contact?: boolean; arrivedOn?: string } = {},
): Promise<void> {
  await f.db.updateTable('return_cases').set({ status }).where('id', '=', caseId).execute()
  const arrivedOn = options.arrivedOn ?? isoDate(0)
  await f.db.transaction().execute(async (trx) => {
    const caseRow = await findCase(trx, caseId)
    if (!caseRow) throw new Error(`no case ${caseId}`)
    await openContactDeadline(trx, { actor: { sub: 'travel-fixture', roles: ['partner'], officeId: caseRow.partner_office_id }, requestId: 'fixture' }, caseRow, arrivedOn)
    if (options.contact === false) return
    const partner = { actor: { sub: 'partner-fixture', roles: ['partner' as const], officeId: caseRow.partner_office_id }, requestId: 'fixture' }
    await recordFirstContact(trx, partner, caseId, undefined, { contacted_on: arrivedOn, channel: 'in_person' })
  })
}

export function requestBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    scope: 'household',
    planned_activity: 'Building and renovation work in Kutaisi with my own tools.',
    form_of_help: 'small_business',
    skills_and_experience: 'Eight years as a builder and tiler.',
    motivation_statement: 'With my own tools I can take contracts myself.',
    items: [
      { description: 'Concrete mixer 180 l', quantity: 1, unit_price: EUR(65_000) },
      { description: 'Power tool set', quantity: 2, unit_price: EUR(60_000) },
    ],
    ...overrides,
  }
}

export const requestsUrl = (caseId: string) => `/v1/return-cases/${caseId}/reintegration-requests`
export const requestUrl = (caseId: string, requestId: string, verb?: string) => `${requestsUrl(caseId)}/${requestId}${verb ? `:${verb}` : ''}`
export const planUrl = (caseId: string, planId: string, verb?: string) => `/v1/return-cases/${caseId}/reintegration-plans/${planId}${verb ? `:${verb}` : ''}`
export const disbursementsUrl = (caseId: string, planId: string) => `${planUrl(caseId, planId)}/disbursements`

export async function submitRequest(f: Fixture, caseId: string, overrides: Record<string, unknown> = {}): Promise<Json> {
  return expectStatus(await f.counsellor({ method: 'POST', url: requestsUrl(caseId), payload: requestBody(overrides) }), 201, 'submit request')
}

export async function assess(f: Fixture, caseId: string, requestId: string, scores: { feasibility: number; motivation: number; assessed_on?: string }): Promise<Json> {
  const payload: Record<string, unknown> = {
    feasibility: { score: scores.feasibility, justification: 'Specific, costed and matches the person\'s skills.' },
    motivation: { score: scores.motivation, justification: 'Has taken concrete steps already.' },
  }
  if (scores.assessed_on) payload.assessed_on = scores.assessed_on
  return expectStatus(await f.assessor({ method: 'POST', url: requestUrl(caseId, requestId, 'assess'), payload }), 200, 'assess')
}

export async function approve(f: Fixture, caseId: string, requestId: string, budgetMinor: number, extra: Record<string, unknown> = {}): Promise<Json> {
  return expectStatus(
    await f.approver({ method: 'POST', url: requestUrl(caseId, requestId, 'approve'), payload: { budget: EUR(budgetMinor), ...extra } }),
    200,
    'approve',
  )
}

/** An approved case with an approved request: its plan, budget committed. */
export async function planFixture(
  f: Fixture,
  options: { budgetMinor?: number; caseOverrides?: Record<string, unknown>; requestOverrides?: Record<string, unknown> } = {},
): Promise<{ caseId: string; requestId: string; planId: string; caseRecord: Json }> {
  const caseRecord = await approvedCase(f, options.caseOverrides)
  const request = await submitRequest(f, caseRecord.id, options.requestOverrides)
  await assess(f, caseRecord.id, request.id, { feasibility: 4, motivation: 4 })
  const approved = await approve(f, caseRecord.id, request.id, options.budgetMinor ?? 185_000)
  return { caseId: caseRecord.id, requestId: request.id, planId: approved.plan_id, caseRecord }
}

export function supplierBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'Kutaisi Stroi LLC',
    registration_number: '204566978',
    address: '12 Rustaveli Avenue, Kutaisi',
    contact: { person: 'Davit Lomidze', phone: '+995 431 240 000' },
    bank_details: { account_holder: 'Kutaisi Stroi LLC', bank_name: 'Bank of Georgia', account_number: 'GE29NB0000000101904917', swift_bic: 'BAGAGE22' },
    ...overrides,
  }
}

export async function registerSupplier(caller: Caller, overrides: Record<string, unknown> = {}): Promise<Json> {
  return expectStatus(await caller({ method: 'POST', url: '/v1/suppliers', payload: supplierBody(overrides) }), 201, 'register supplier')
}

export function disbursementBody(supplierId: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    supplier_id: supplierId,
    items: [{ description: 'Concrete mixer 180 l', quantity: 1, unit_price: EUR(65_000) }],
    invoice_number: `INV-${Math.random().toString(36).slice(2, 10)}`,
    invoice_date: isoDate(-1),
    ...overrides,
  }
}

export async function lineBalance(f: Fixture): Promise<{ allocated: number; committed: number; spent: number }> {
  const line = await f.db.selectFrom('budget_lines').select(['allocated_minor', 'committed_minor', 'spent_minor']).where('id', '=', f.inKindLineId).executeTakeFirstOrThrow()
  return { allocated: Number(line.allocated_minor), committed: Number(line.committed_minor), spent: Number(line.spent_minor) }
}

export async function count(f: Fixture, table: keyof DB): Promise<number> {
  const row = await f.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .executeTakeFirstOrThrow()
  return Number(row.count)
}

/** Row counts of every table a rejected reintegration write could have touched. */
export async function snapshotCounts(f: Fixture): Promise<Record<string, number>> {
  const tables: Array<keyof DB> = [
    'reintegration_requests',
    'reintegration_assessments',
    'reintegration_decisions',
    'reintegration_plans',
    'reintegration_disbursements',
    'payment_requests',
    'ledger_entries',
    'suppliers',
    'crisis_countries',
    'monitoring_visits',
    'satisfaction_surveys',
    'sustainability_assessments',
    'audit_events',
    'outbox_events',
  ]
  const counts: Record<string, number> = {}
  for (const table of tables) counts[table] = await count(f, table)
  return counts
}
