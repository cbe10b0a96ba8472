import type { InjectOptions, LightMyRequestResponse } from 'fastify'
import { buildTestApp, type TestApp } from '../helpers/app.js'

interface Teardown {
  teardown(fn: () => unknown): void
}

/** A JSON response body as the tests read it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = Record<string, any>

export type Caller = (options: InjectOptions) => Promise<LightMyRequestResponse>

export interface CaseFixture extends TestApp {
  offices: { vilnius: string; tbilisi: string; baghdad: string }
  projectId: string
  /** Creates cases (and is therefore never their approver). */
  counsellor: Caller
  approver: Caller
  auditor: Caller
  protection: Caller
  admin: Caller
}

/** Today plus some days, as an ISO date. */
export function isoDate(offsetDays = 0, from: Date = new Date()): string {
  const date = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate() + offsetDays))
  return date.toISOString().slice(0, 10)
}

/** A fresh app and database (or the given one) with the country office, partner offices in Georgia and Iraq, and an active project. */
export async function caseFixture(t: Teardown, env: Record<string, string> = {}): Promise<CaseFixture> {
  const testApp = await buildTestApp(t, env)
  const admin = testApp.as('ada', ['admin'])
  const office = async (payload: Record<string, string>) => {
    const response = await admin({ method: 'POST', url: '/v1/offices', payload })
    if (response.statusCode !== 201) throw new Error(`office: ${response.body}`)
    return response.json().id as string
  }
  const vilnius = await office({ code: 'VNO', name: 'IOM Vilnius', country: 'LT', kind: 'country_office' })
  const tbilisi = await office({ code: 'TBS', name: 'IOM Tbilisi', country: 'GE', kind: 'partner_office' })
  const baghdad = await office({ code: 'BGW', name: 'IOM Baghdad', country: 'IQ', kind: 'partner_office' })
  const projectId = await createProject(testApp, { code: 'AVRR-TEST', starts_on: isoDate(-365), ends_on: isoDate(3 * 365) })
  return {
    ...testApp,
    offices: { vilnius, tbilisi, baghdad },
    projectId,
    counsellor: testApp.as('carla', ['counsellor']),
    approver: testApp.as('abe', ['approver']),
    auditor: testApp.as('audrey', ['auditor']),
    protection: testApp.as('petra', ['protection']),
    admin,
  }
}

export async function createProject(testApp: TestApp, options: { code: string; starts_on: string; ends_on: string; activate?: boolean }): Promise<string> {
  const finance = testApp.as('fiona', ['finance'])
  const created = await finance({
    method: 'POST',
    url: '/v1/projects',
    payload: {
      code: options.code,
      title: `Project ${options.code}`,
      starts_on: options.starts_on,
      ends_on: options.ends_on,
      total: { amount_minor: 3803700, currency: 'EUR' },
      co_funders: [
        { name: 'European Union', share_bp: 7500 },
        { name: 'State budget', share_bp: 2500 },
      ],
    },
  })
  if (created.statusCode !== 201) throw new Error(`project: ${created.body}`)
  const id = created.json().id as string
  if (options.activate !== false) {
    const activated = await finance({ method: 'POST', url: `/v1/projects/${id}:activate`, payload: {} })
    if (activated.statusCode !== 200) throw new Error(`activate project: ${activated.body}`)
  }
  return id
}

export function person(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { relationship: 'principal', given_name: 'Giorgi', family_name: 'Beridze', sex: 'male', date_of_birth: '1978-03-14', nationality: 'GE', ...overrides }
}

export function caseBody(officeId: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    office_id: officeId,
    legal_status: 'irregular_stay',
    referral_source: 'self',
    country_of_return: 'GE',
    place_of_return: 'Kutaisi',
    intended_departure_on: isoDate(30),
    consent: { given_at: '2026-01-10T10:00:00Z', given_by: 'principal applicant', scope: ['return_assistance'] },
    members: [person()],
    ...overrides,
  }
}

export async function createCase(caller: Caller, officeId: string, overrides: Record<string, unknown> = {}): Promise<Json> {
  const response = await caller({ method: 'POST', url: '/v1/return-cases', payload: caseBody(officeId, overrides) })
  if (response.statusCode !== 201) throw new Error(`create case: ${response.statusCode} ${response.body}`)
  return response.json()
}

export async function act(caller: Caller, caseId: string, verb: string, payload: Record<string, unknown> = {}): Promise<LightMyRequestResponse> {
  return caller({ method: 'POST', url: `/v1/return-cases/${caseId}:${verb}`, payload })
}

/** Creates a case and takes it to `approved` (counsellor creates, approver approves). */
export async function approvedCase(fixture: CaseFixture, overrides: Record<string, unknown> = {}): Promise<Json> {
  const created = await createCase(fixture.counsellor, fixture.offices.vilnius, { project_id: fixture.projectId, ...overrides })
  for (const [caller, verb] of [
    [fixture.counsellor, 'submit'],
    [fixture.counsellor, 'start-counselling'],
    [fixture.approver, 'approve'],
  ] as const) {
    const response = await act(caller, created.id, verb)
    if (response.statusCode !== 200) throw new Error(`${verb}: ${response.statusCode} ${response.body}`)
  }
  const response = await fixture.counsellor({ method: 'GET', url: `/v1/return-cases/${created.id}` })
  return response.json()
}

export async function countRows(fixture: TestApp, table: 'return_cases' | 'case_members' | 'member_vulnerabilities' | 'audit_events' | 'outbox_events' | 'counselling_sessions' | 'case_status_history'): Promise<number> {
  const row = await fixture.database.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .executeTakeFirstOrThrow()
  return Number(row.count)
}
