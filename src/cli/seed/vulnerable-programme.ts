import type { Kysely, Transaction } from 'kysely'
import type { DB } from '../../db/schema.js'
import { createSurvey } from '../../modules/monitoring/index.js'
import { createOffice, findOfficeByCode } from '../../modules/offices/index.js'
import { createBudgetLine, createProject, findProjectByCode, transitionProject, type CreateProjectInput } from '../../modules/projects/index.js'
import {
  approveRequest,
  assessRequest,
  confirmDelivery,
  createDisbursement,
  createRequest,
  firstPlanOfCase,
  type ItemInputValue, recordFirstContact } from '../../modules/reintegration/index.js'
import { createCase, findCaseByExternalReference, findCaseForActor, listCaseMembers, transitionCase, type CreateReturnCaseInput } from '../../modules/return-cases/index.js'
import { recordDocument } from '../../modules/travel-documents/index.js'
import { ProblemError } from '../../shared/problems.js'
import { requestTravelInsurance } from '../../modules/travel-arrangements/index.js'
import { confirmArrival, confirmDeparture, createBooking, recordTicketNoShow, requestTicket } from '../../modules/travel/index.js'
import { ADMIN, APPROVER, COUNSELLOR, OPERATIONS, seedPartner } from './actors.js'
import { approveAndPay } from './payments.js'
import { ensureSupplier } from './suppliers.js'

/**
 * The AVRR programme for migrants in situations of vulnerability (July 2021 – July 2022) of the
 * seeds, as consistent synthetic data: target 200 people (80 individuals, 40 families of about
 * three); reached 229 migrants, 63 of them children and 118 family members (so 111 travelled
 * alone), reintegration reached 221, satisfaction 99 % with counselling and 100 % with travel.
 * Every person, household, ticket, plan, delivery and survey goes through the services, dated
 * when it happened; names, dates, countries, fares and items are invented, deterministically.
 */

export const VULNERABLE_PROGRAMME_CODE = 'LT-AVRR-VULN-2021'

const EUR = (amount_minor: number) => ({ amount_minor, currency: 'EUR' })

const PROGRAMME: CreateProjectInput = {
  code: VULNERABLE_PROGRAMME_CODE,
  title: 'Assisted voluntary return and reintegration of migrants in situations of vulnerability',
  starts_on: '2021-07-01',
  ends_on: '2022-07-31',
  total: EUR(40_000_000),
  co_funders: [
    { name: 'Asylum, Migration and Integration Fund', share_bp: 7500 },
    { name: 'State budget of the Republic of Lithuania', share_bp: 2500 },
  ],
  targets: { persons: 200, individuals: 80, families: 40 },
  second_approval_threshold: EUR(1_000_000),
  // The programme has no insurance line: travellers' insurance is paid from the travel line.
  cost_routing: { insurance: 'travel' },
}

/** Partner offices in the countries of return beyond Georgia and Iraq (found by code, created when missing). */
const PARTNER_OFFICES = [
  { code: 'TBS', name: 'IOM Tbilisi', country: 'GE', airport: 'TBS' },
  { code: 'BGW', name: 'IOM Baghdad', country: 'IQ', airport: 'BGW' },
  { code: 'DYU', name: 'IOM Dushanbe', country: 'TJ', airport: 'DYU' },
  { code: 'TAS', name: 'IOM Tashkent', country: 'UZ', airport: 'TAS' },
  { code: 'EVN', name: 'IOM Yerevan', country: 'AM', airport: 'EVN' },
] as const

/** The published figures the data reproduces. */
export const VULNERABLE_PROGRAMME_FIGURES = {
  returned: 229,
  children: 63,
  family_members: 118,
  individuals: 111,
  families: 40,
  reached_reintegration: 221,
  percent_satisfied: { counselling: 99, travel: 100 },
} as const

type Member = NonNullable<CreateReturnCaseInput['members']>[number]

export interface Household {
  index: number
  country: (typeof PARTNER_OFFICES)[number]
  departsOn: string
  members: Member[]
  reintegration: boolean
  /** Positions (in the order recorded) of members who did not board. */
  noShows?: number[]
}

export type PartnerCountry = (typeof PARTNER_OFFICES)[number]

export function partnerCountry(country: string): PartnerCountry {
  return PARTNER_OFFICES.find((office) => office.country === country) as PartnerCountry
}

/** A small deterministic generator, so every run seeds the same people. */
function generator(seed: number) {
  let state = seed
  return (modulo: number) => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648
    return state % modulo
  }
}

function addDays(isoDate: string, days: number): string {
  return new Date(Date.parse(`${isoDate}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10)
}

const GIVEN = { male: ['Davit', 'Ali', 'Farrukh', 'Aram', 'Rustam', 'Karim', 'Nodar', 'Jasur'], female: ['Mariam', 'Zahra', 'Dilnoza', 'Anahit', 'Madina', 'Nargiza', 'Tamar', 'Layla'] }
const FAMILY = ['Abashidze', 'Hassan', 'Rahimov', 'Petrosyan', 'Karimov', 'Jafari', 'Sultanov', 'Grigoryan', 'Mammadov', 'Nazarov']

/**
 * The 151 households: 111 adults travelling alone (the last eight without reintegration), then
 * 40 families: 15 couples with a child, 23 single parents with two children, 2 single parents
 * with one child: 118 family members, 63 of them children.
 */
export function vulnerableHouseholds(): Household[] {
  const random = generator(2021)
  const households: Household[] = []
  const person = (relationship: Member['relationship'], family: string, bornFrom: number, bornSpan: number, vulnerabilities: Member['vulnerabilities'] = []): Member => {
    const sex = random(2) === 0 ? 'male' : 'female'
    const given = GIVEN[sex][random(GIVEN[sex].length)] as string
    const born = `${bornFrom + random(bornSpan)}-${String(1 + random(12)).padStart(2, '0')}-${String(1 + random(28)).padStart(2, '0')}`
    return { relationship, given_name: given, family_name: family, sex, date_of_birth: born, nationality: 'XX', vulnerabilities }
  }
  const shapes: Array<{ kind: 'alone' | 'couple' | 'parent2' | 'parent1' }> = [
    ...Array.from({ length: 111 }, () => ({ kind: 'alone' as const })),
    ...Array.from({ length: 15 }, () => ({ kind: 'couple' as const })),
    ...Array.from({ length: 23 }, () => ({ kind: 'parent2' as const })),
    ...Array.from({ length: 2 }, () => ({ kind: 'parent1' as const })),
  ]
  shapes.forEach((shape, index) => {
    const country = PARTNER_OFFICES[index % PARTNER_OFFICES.length] as (typeof PARTNER_OFFICES)[number]
    const family = FAMILY[random(FAMILY.length)] as string
    // Departures spread over August 2021 to June 2022.
    const departsOn = addDays('2021-08-02', Math.floor((index * 329) / shapes.length))
    const vulnerability = (code: NonNullable<Member['vulnerabilities']>[number]['code'], notes: string) => [{ code, notes }]
    let members: Member[]
    if (shape.kind === 'alone') {
      const codes = [
        vulnerability('medical_needs', 'Chronic condition needing treatment after return'),
        vulnerability('other', 'Destitute, without accommodation'),
        vulnerability('victim_of_trafficking', 'Identified by the police; referred by the protection team'),
      ]
      // Every 23rd person travelling alone is 65 or older (elderly, derived from the date of birth).
      const elderly = index % 23 === 5
      members = [person('principal', family, elderly ? 1948 : 1972, elderly ? 6 : 27, index % 20 === 3 ? codes[2] : (codes[index % 2] as Member['vulnerabilities']))]
    } else if (shape.kind === 'couple') {
      members = [person('principal', family, 1980, 15, vulnerability('medical_needs', 'Pregnancy complications of the spouse')), person('spouse_partner', family, 1982, 15), person('child', family, 2008, 12)]
    } else {
      const children = shape.kind === 'parent2' ? 2 : 1
      members = [person('principal', family, 1978, 20, vulnerability('single_parent', 'Single parent of young children')), ...Array.from({ length: children }, () => person('child', family, 2007, 13))]
    }
    for (const member of members) member.nationality = country.country
    households.push({ index, country, departsOn, members, reintegration: !(shape.kind === 'alone' && index >= 103) })
  })
  return households
}

const FORMS: Array<{ form_of_help: 'small_business' | 'employment_assistance' | 'vocational_training'; activity: string; items: ItemInputValue[] }> = [
  { form_of_help: 'small_business', activity: 'A small shop or workshop in the home town', items: [{ description: 'Start-up equipment and stock', quantity: 1, unit_price: EUR(95_000) }] },
  { form_of_help: 'small_business', activity: 'Livestock or greenhouse farming', items: [{ description: 'Animals, seed and tools', quantity: 1, unit_price: EUR(85_000) }] },
  { form_of_help: 'employment_assistance', activity: 'Work with an employer found before departure', items: [{ description: 'Tools of the trade', quantity: 1, unit_price: EUR(60_000) }] },
  { form_of_help: 'vocational_training', activity: 'A vocational course and a starter kit', items: [{ description: 'Course fees and starter kit', quantity: 1, unit_price: EUR(70_000) }] },
]

async function ensurePartnerOffices(db: Kysely<DB>): Promise<Map<string, string>> {
  const ids = new Map<string, string>()
  for (const office of PARTNER_OFFICES) {
    const existing = await findOfficeByCode(db, office.code)
    const id = existing
      ? existing.id
      : (await db.transaction().execute((trx) => createOffice(trx, ADMIN, { code: office.code, name: office.name, country: office.country, kind: 'partner_office' }))).id
    ids.set(office.country, id)
  }
  return ids
}

async function ensureProgramme(db: Kysely<DB>): Promise<string> {
  const existing = await findProjectByCode(db, VULNERABLE_PROGRAMME_CODE)
  if (existing) return existing.id
  return db.transaction().execute(async (trx) => {
    const project = await createProject(trx, ADMIN, PROGRAMME)
    for (const line of [
      { category: 'travel' as const, name: 'Travel: tickets and assistance', allocated: EUR(10_000_000) },
      { category: 'cash_grant' as const, name: 'Cash grants on arrival', allocated: EUR(4_000_000) },
      { category: 'in_kind_reintegration' as const, name: 'In-kind reintegration assistance', allocated: EUR(18_000_000) },
      { category: 'other' as const, name: 'Counselling, monitoring and management', allocated: EUR(8_000_000) },
    ]) {
      await createBudgetLine(trx, ADMIN, project.id, line)
    }
    await transitionProject(trx, ADMIN, project.id, 'activate', undefined, null)
    return project.id
  })
}

/** The programme's supplier in `country` (one a country, registered by its partner office). */
async function programmeSupplier(db: Kysely<DB>, country: string, partnerOfficeId: string): Promise<string> {
  const registration = `VULN-${country}-0001`
  return ensureSupplier(db, country, partnerOfficeId, {
    name: `Reintegration Supplies ${country}`,
    registration_number: registration,
    address: `Market street 1, ${country}`,
    contact: { person: 'Sales desk' },
    bank_details: { account_holder: `Reintegration Supplies ${country}`, bank_name: 'National Bank', account_number: `${country}00SEED${registration.slice(-4)}` },
  })
}

/** One household from application to survey, in one transaction: a rerun finds it whole or not at all. */
export async function returnHousehold(trx: Transaction<DB>, household: Household, ids: { officeId: string; projectId: string; supplierId: string }): Promise<void> {
  const number = String(household.index + 1).padStart(4, '0')
  const appliedOn = addDays(household.departsOn, -60)
  const { row } = await createCase(trx, COUNSELLOR, {
    office_id: ids.officeId,
    project_id: ids.projectId,
    applied_on: appliedOn,
    legal_status: household.index % 3 === 0 ? 'rejected_asylum_seeker' : 'irregular_stay',
    referral_source: household.index % 2 === 0 ? 'reception_centre' : 'migration_authority',
    external_reference: `VULN-2021-${number}`,
    country_of_return: household.country.country,
    intended_departure_on: household.departsOn,
    consent: { given_at: `${appliedOn}T09:00:00Z`, given_by: 'principal applicant', scope: ['return_assistance', 'reintegration_assistance', 'data_sharing_with_partner_office'] },
    members: household.members,
  })
  let current = await transitionCase(trx, COUNSELLOR, row, 'submit')
  current = await transitionCase(trx, COUNSELLOR, current, 'start_counselling')
  current = await findCaseForActor(trx, APPROVER.actor, current.id, { forUpdate: true })
  current = await transitionCase(trx, APPROVER, current, 'approve', 'Seed: assisted under the programme for migrants in situations of vulnerability')
  const partnerOfficeId = current.partner_office_id as string
  const partner = seedPartner(partnerOfficeId)
  const form = FORMS[household.index % FORMS.length] as (typeof FORMS)[number]
  if (household.reintegration) {
    const request = await createRequest(trx, COUNSELLOR, current.id, {
      scope: 'household',
      filled_on: addDays(appliedOn, 10),
      planned_activity: form.activity,
      form_of_help: form.form_of_help,
      skills_and_experience: 'Experience in the trade before leaving.',
      motivation_statement: 'Wants to support the household after return.',
      items: form.items,
    })
    const requestIds = { caseId: current.id, requestId: request.id }
    await assessRequest(trx, COUNSELLOR, requestIds, undefined, {
      assessed_on: addDays(appliedOn, 12),
      feasibility: { score: 4, justification: 'A specific, costed plan that fits the person\'s skills.' },
      motivation: { score: 4, justification: 'Committed to the plan.' },
    })
    await approveRequest(trx, APPROVER, requestIds, undefined, { budget: form.items[0]!.unit_price, note: 'Seed: selected under the programme' })
  }

  const members = await listCaseMembers(trx, current.id)
  const booking = await createBooking(trx, OPERATIONS, current.id, {
    booking_reference: `VU${number}`,
    segments: [
      {
        from_airport: 'VNO',
        to_airport: household.country.airport,
        carrier: 'TK',
        flight_number: String(400 + (household.index % 500)),
        departs_at: `${household.departsOn}T10:00:00+03:00`,
        arrives_at: `${household.departsOn}T17:00:00+04:00`,
      },
    ],
  })
  const ticketIds: string[] = []
  for (const [position, member] of members.entries()) {
    const document = await recordDocument(trx, OPERATIONS, current.id, {
      member_id: member.id,
      kind: 'national_passport',
      document_number: `P${number}${position}`,
      issuing_country: household.country.country,
      issued_on: '2019-01-15',
      expires_on: '2029-01-14',
    })
    void document
    const ticketInput = {
      booking_id: booking.id,
      member_id: member.id,
      ticket_number: `235${number}${String(position).padStart(6, '0')}`,
      fare: EUR(28_000 + (household.index % 7) * 1_500),
      payee: { type: 'supplier' as const, name: 'Baltic Travel Service (Vilnius)' },
    }
    // A traveller with medical needs flies insured: ticketing says so, and the seed then insures them.
    const ticket = await requestTicket(trx, OPERATIONS, current.id, ticketInput).catch(async (error: unknown) => {
      if (!(error instanceof ProblemError && error.slug === 'travel-insurance-required')) throw error
      const policy = await requestTravelInsurance(trx, OPERATIONS, current.id, {
        member_id: member.id,
        insurer: 'ERGO Insurance',
        policy_number: `ERV-${number}-${position}`,
        cover_from: household.departsOn,
        cover_until: household.departsOn,
        premium: EUR(2_500),
      })
      await approveAndPay(trx, policy.payment_request_id, addDays(household.departsOn, -6), `SEED-VU-INS-${number}-${position}`)
      return requestTicket(trx, OPERATIONS, current.id, ticketInput)
    })
    await approveAndPay(trx, ticket.payment_request_id, addDays(household.departsOn, -5), `SEED-VU-${number}-${position}`)
    ticketIds.push(ticket.id)
  }
  const boarded = ticketIds.filter((_, position) => !household.noShows?.includes(position))
  for (const [position, ticketId] of ticketIds.entries()) {
    if (household.noShows?.includes(position)) await recordTicketNoShow(trx, OPERATIONS, current.id, ticketId, undefined, 'Did not come to the airport')
  }
  for (const ticketId of boarded) await confirmDeparture(trx, OPERATIONS, current.id, ticketId, undefined, `${household.departsOn}T10:00:00+03:00`)
  for (const ticketId of boarded) await confirmArrival(trx, partner, current.id, ticketId, undefined, `${household.departsOn}T17:00:00+04:00`)
  // Met at the airport by the partner office: the first contact is on the arrival day.
  if (boarded.length > 0) await recordFirstContact(trx, partner, current.id, undefined, { contacted_on: household.departsOn, channel: 'in_person' })

  if (household.reintegration) {
    const plan = await firstPlanOfCase(trx, current.id)
    const planIds = { caseId: current.id, planId: plan!.id }
    const invoiceDate = addDays(household.departsOn, 20)
    const disbursement = await createDisbursement(trx, COUNSELLOR, planIds, { supplier_id: ids.supplierId, items: form.items, invoice_number: `INV-VU-${number}`, invoice_date: invoiceDate })
    await approveAndPay(trx, disbursement.payment_request_id, invoiceDate, `SEED-INV-VU-${number}`)
    await confirmDelivery(trx, partner, { ...planIds, disbursementId: disbursement.id }, undefined, { delivered_on: addDays(invoiceDate, 2), delivered_items: form.items[0]!.description })
  }
  // The principal answers the survey a month after return: one counselling answer is "neither"
  // (99 % satisfied), every travel answer satisfied or very satisfied (100 %).
  const principal = members.find((member) => member.is_principal)!
  await createSurvey(trx, partner, current.id, {
    member_id: principal.id,
    surveyed_on: addDays(household.departsOn, 30),
    counselling: household.index === 42 ? 3 : 5,
    travel_arrangements: household.index % 4 === 0 ? 4 : 5,
    reintegration_assistance: household.reintegration ? 5 - (household.index % 2) : null,
  })
}

export interface SeededProgramme {
  projectId: string
  created: number
  existing: number
}

/** The programme's project, partner offices and a supplier in each country (found, or created when missing). */
export async function programmeSetup(db: Kysely<DB>): Promise<{ projectId: string; partnerOffices: Map<string, string>; suppliers: Map<string, string> }> {
  const partnerOffices = await ensurePartnerOffices(db)
  const projectId = await ensureProgramme(db)
  const suppliers = new Map<string, string>()
  for (const [country, officeId] of partnerOffices) suppliers.set(country, await programmeSupplier(db, country, officeId))
  return { projectId, partnerOffices, suppliers }
}

/** Loads the programme; idempotent: a household whose case exists is left alone. */
export async function seedVulnerableProgramme(db: Kysely<DB>, countryOfficeId: string): Promise<SeededProgramme> {
  const { projectId, suppliers } = await programmeSetup(db)
  let created = 0
  let existing = 0
  for (const household of vulnerableHouseholds()) {
    const reference = `VULN-2021-${String(household.index + 1).padStart(4, '0')}`
    if (await findCaseByExternalReference(db, reference, countryOfficeId)) {
      existing += 1
      continue
    }
    await db.transaction().execute((trx) => returnHousehold(trx, household, { officeId: countryOfficeId, projectId, supplierId: suppliers.get(household.country.country) as string }))
    created += 1
  }
  return { projectId, created, existing }
}
