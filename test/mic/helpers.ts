import type { TestApp } from '../helpers/app.js'

export const ENQUIRERS = '/v1/mic/enquirers'

export function enquirerBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    given_name: 'Ona',
    family_name: 'Petraitienė',
    contact: { email: 'ona.petraitiene@example.org', phone: '+44 20 7946 0958', address: '12 Baker Street, London' },
    residence_country: 'GB',
    planned_return_on: '2027-06-30',
    household: [{ given_name: 'James', family_name: 'Smith', relationship: 'spouse_partner', nationality: 'GB' }],
    consent: { given_at: '2026-11-20T10:00:00Z', given_by: 'enquirer', scope: ['information_and_advice', 'follow_up_contact'] },
    ...overrides,
  }
}

export function consultationBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    held_on: '2026-11-20',
    channel: 'online',
    topics: ['social_security', 'family_members_not_nationals'],
    question: 'Will my UK insurance periods count at home, and can my husband live with me there?',
    information_given: 'Explained the coordination of social security and the residence permit for family members.',
    referrals: [{ institution: 'Migration Department', purpose: 'Residence permit for the spouse', referred_on: '2026-11-20' }],
    follow_up_on: '2026-12-04',
    ...overrides,
  }
}

export function counsellorOf(testApp: TestApp) {
  return testApp.as('connie', ['counsellor'])
}

export async function createEnquirer(testApp: TestApp, overrides: Record<string, unknown> = {}): Promise<{ id: string; version: number }> {
  const response = await counsellorOf(testApp)({ method: 'POST', url: ENQUIRERS, payload: enquirerBody(overrides) })
  if (response.statusCode !== 201) throw new Error(`enquirer not created: ${response.statusCode} ${response.body}`)
  return response.json()
}

export async function recordConsultation(testApp: TestApp, enquirerId: string, overrides: Record<string, unknown> = {}): Promise<{ id: string; version: number }> {
  const response = await counsellorOf(testApp)({ method: 'POST', url: `${ENQUIRERS}/${enquirerId}/consultations`, payload: consultationBody(overrides) })
  if (response.statusCode !== 201) throw new Error(`consultation not recorded: ${response.statusCode} ${response.body}`)
  return response.json()
}

/** Rows of the centre's tables and its audit entries and events: what a refused request must leave unchanged. */
export async function footprint(testApp: TestApp): Promise<Record<string, number>> {
  const db = testApp.database.db
  const count = async (table: 'mic_enquirers' | 'mic_consultations') => (await db.selectFrom(table).select(db.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n
  const audits = await db.selectFrom('audit_events').select(db.fn.countAll<number>().as('n')).where('entity_type', 'like', 'mic_%').executeTakeFirstOrThrow()
  const events = await db.selectFrom('outbox_events').select(db.fn.countAll<number>().as('n')).where('entity_type', 'like', 'mic_%').executeTakeFirstOrThrow()
  return {
    enquirers: Number(await count('mic_enquirers')),
    consultations: Number(await count('mic_consultations')),
    audits: Number(audits.n),
    events: Number(events.n),
  }
}

/** The calendar date (UTC) `days` from today. */
export function daysFromToday(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10)
}
