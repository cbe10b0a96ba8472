import type { Kysely } from 'kysely'
import type { DB } from '../../db/schema.js'
import { createCrisisCountry, isListed } from '../../modules/crisis-countries/index.js'
import {
  approveRequest,
  assessRequest,
  confirmDelivery,
  createDisbursement,
  createRequest,
  disbursementsOfPlan,
  firstPlanOfCase,
  firstRequestOfCase,
  getContactDeadline,
  itemsTotal,
  recordFirstContact,
  REQUEST_FORM_CASE_STATUSES,
  RETURNED_CASE_STATUSES,
  toItemValues,
  type ItemInputValue,
} from '../../modules/reintegration/index.js'
import { findCaseByExternalReference } from '../../modules/return-cases/index.js'
import type { CreateSupplierInput } from '../../modules/suppliers/index.js'
import { ADMIN, APPROVER, COUNSELLOR, seedContext, seedPartner } from './actors.js'
import { approveAndPay } from './payments.js'
import { ensureSupplier } from './suppliers.js'

/**
 * The in-kind reintegration of the 2010–2011 project of the seed documents: construction tools for
 * two Georgian returnees, cows for cheese production for one, a clothing shop for one, and an
 * electrical-appliance shop for the Iraqi family. Request forms are filled in and decided before
 * departure (`seedReintegrationSelection`); suppliers are paid and deliveries confirmed after
 * arrival (`seedReintegrationDelivery`). Suppliers, items, prices, scores and dates are
 * illustrative; the amounts (EUR 20,000 in all) fit the project's in-kind line (EUR 24,000).
 */

const ASSESSOR = seedContext('seed-caseworker', ['counsellor'])

const EUR = (amount_minor: number) => ({ amount_minor, currency: 'EUR' })
const item = (description: string, quantity: number, unitMinor: number): ItemInputValue => ({ description, quantity, unit_price: EUR(unitMinor) })

interface SeedSupplier extends CreateSupplierInput {
  country: 'GE' | 'IQ'
}

const SUPPLIERS: Record<string, SeedSupplier> = {
  tools: {
    country: 'GE',
    name: 'Imereti Stroi LLC',
    registration_number: '212880451',
    address: '41 Tsereteli Street, Kutaisi',
    contact: { person: 'Davit Lomidze', phone: '+995 431 240 010' },
    bank_details: { account_holder: 'Imereti Stroi LLC', bank_name: 'Bank of Georgia', account_number: 'GE60BG0000000538021011', swift_bic: 'BAGAGE22' },
  },
  livestock: {
    country: 'GE',
    name: 'Kakheti Agro Cooperative',
    registration_number: '231447902',
    address: '7 Chavchavadze Street, Telavi',
    contact: { person: 'Eka Maisuradze', phone: '+995 350 271 118' },
    bank_details: { account_holder: 'Kakheti Agro Cooperative', bank_name: 'TBC Bank', account_number: 'GE17TB7711236020100004' },
  },
  clothing: {
    country: 'GE',
    name: 'Lilo Textile Wholesale LLC',
    registration_number: '205116377',
    address: 'Lilo Market, pavilion 14, Tbilisi',
    contact: { person: 'Irakli Jgharkava', phone: '+995 32 245 9901' },
    bank_details: { account_holder: 'Lilo Textile Wholesale LLC', bank_name: 'Liberty Bank', account_number: 'GE43LB0711124566201001' },
  },
  appliances: {
    country: 'IQ',
    name: 'Al-Rasheed Electrical Trading',
    registration_number: 'BGD-2009-114772',
    address: 'Al-Rasheed Street, Baghdad',
    contact: { person: 'Mustafa Hadi', phone: '+964 790 112 2334' },
    bank_details: { account_holder: 'Al-Rasheed Electrical Trading', bank_name: 'Rafidain Bank', account_number: 'IQ98RAFB004001000012345' },
  },
}

interface SeedPlan {
  externalReference: string
  filledOn: string
  assessedOn: string
  plannedActivity: string
  formOfHelp: 'small_business' | 'employment_assistance'
  skills: string
  motivation: string
  items: ItemInputValue[]
  feasibility: { score: number; justification: string }
  motivationScore: { score: number; justification: string }
  supplier: keyof typeof SUPPLIERS
  invoice: { number: string; date: string; deliveredOn: string; delivered: string }
}

const SEED_PLANS: SeedPlan[] = [
  {
    externalReference: 'SEED-2010-GE-1',
    filledOn: '2010-08-20',
    assessedOn: '2010-08-25',
    plannedActivity: 'Building and renovation work in Kutaisi with his own set of tools.',
    formOfHelp: 'employment_assistance',
    skills: 'Eight years as a builder in Georgia and two years on building sites in Lithuania.',
    motivation: 'With my own tools I can take renovation jobs myself instead of waiting for day work.',
    items: [item('Concrete mixer 180 l', 1, 65_000), item('Power tool set (drill, angle grinder, circular saw)', 1, 120_000), item('Scaffolding set', 1, 85_000), item('Hand tools', 1, 30_000)],
    feasibility: { score: 4, justification: 'Proven construction skills; renovation work is in demand in Kutaisi; costed list of tools.' },
    motivationScore: { score: 4, justification: 'Has two renovation jobs promised by neighbours.' },
    supplier: 'tools',
    invoice: { number: 'IS-2010-0912', date: '2010-10-04', deliveredOn: '2010-10-06', delivered: 'Mixer, power tool set, scaffolding and hand tools delivered to his home in Kutaisi.' },
  },
  {
    externalReference: 'SEED-2010-GE-2',
    filledOn: '2010-09-24',
    assessedOn: '2010-09-29',
    plannedActivity: 'Tiling work on building sites in Rustavi, with his own tiling tools.',
    formOfHelp: 'employment_assistance',
    skills: 'Skilled tiler; worked as a finishing worker in Lithuania.',
    motivation: 'My cousin has work for me on his building sites if I bring my own tools.',
    items: [item('Tile cutter', 1, 45_000), item('Wet saw', 1, 70_000), item('Mixing drill', 1, 35_000), item('Levelling kit', 1, 25_000), item('Scaffolding set', 1, 75_000)],
    feasibility: { score: 4, justification: 'Specific offer of work; tools match his trade.' },
    motivationScore: { score: 3, justification: 'Committed; depends on the cousin\'s contracts.' },
    supplier: 'tools',
    invoice: { number: 'IS-2010-1107', date: '2010-11-08', deliveredOn: '2010-11-10', delivered: 'Tiling tools and scaffolding handed over in Rustavi.' },
  },
  {
    externalReference: 'SEED-2010-GE-3',
    filledOn: '2010-10-22',
    assessedOn: '2010-10-27',
    plannedActivity: 'Producing and selling cheese on the family farm near Telavi.',
    formOfHelp: 'small_business',
    skills: 'Grew up on the family farm; his family made cheese for the local market.',
    motivation: 'The farm has pasture and a cellar; with cows we can make cheese again and sell it in Telavi.',
    items: [item('Dairy cow', 3, 110_000), item('Cheese-making equipment', 1, 70_000), item('Feed for the first winter', 1, 50_000)],
    feasibility: { score: 4, justification: 'Pasture and cellar available; a known local market for cheese.' },
    motivationScore: { score: 5, justification: 'Family contributes the farm and labour.' },
    supplier: 'livestock',
    invoice: { number: 'KA-2010-044', date: '2010-12-06', deliveredOn: '2010-12-08', delivered: 'Three dairy cows, cheese vats and feed delivered to the farm.' },
  },
  {
    externalReference: 'SEED-2011-GE-4',
    filledOn: '2011-01-14',
    assessedOn: '2011-01-19',
    plannedActivity: 'A small clothing shop in Tbilisi.',
    formOfHelp: 'small_business',
    skills: 'Five years as a shop assistant in clothing retail.',
    motivation: 'I have found premises near the market and know the wholesalers.',
    items: [item('Initial stock of clothing', 1, 280_000), item('Shelving and fittings', 1, 70_000), item('Cash register', 1, 30_000), item('Signboard', 1, 20_000)],
    feasibility: { score: 3, justification: 'Retail experience; competition near the market is strong.' },
    motivationScore: { score: 4, justification: 'Premises found and rent negotiated.' },
    supplier: 'clothing',
    invoice: { number: 'LT-11-0302', date: '2011-03-01', deliveredOn: '2011-03-04', delivered: 'Stock, shelving, cash register and signboard delivered to the shop.' },
  },
  {
    externalReference: 'SEED-2011-IQ-1',
    filledOn: '2011-03-10',
    assessedOn: '2011-03-15',
    plannedActivity: 'A small electrical-appliance shop with a repair corner in Baghdad.',
    formOfHelp: 'small_business',
    skills: 'The couple ran a repair business for household appliances before leaving.',
    motivation: 'We know the trade and the neighbourhood; the shop will support our family.',
    items: [item('Stock of household appliances', 1, 420_000), item('Repair tools and spare parts', 1, 60_000), item('Shop fit-out', 1, 90_000), item('Small generator', 1, 30_000)],
    feasibility: { score: 4, justification: 'Experienced in the trade; steady demand for appliances and repairs.' },
    motivationScore: { score: 4, justification: 'Both spouses will work in the shop.' },
    supplier: 'appliances',
    invoice: { number: 'AR-2011-0517', date: '2011-05-03', deliveredOn: '2011-05-05', delivered: 'Appliances, tools, fittings and generator delivered to the shop.' },
  },
]

export interface SeededReintegration {
  externalReference: string
  outcome: 'created' | 'exists' | 'skipped'
  detail: string
}

function outcomeOf(seed: SeedPlan, outcome: SeededReintegration['outcome'], detail: string): SeededReintegration {
  return { externalReference: seed.externalReference, outcome, detail }
}

async function caseByReference(db: Kysely<DB>, externalReference: string) {
  return findCaseByExternalReference(db, externalReference)
}

/**
 * Before departure: Iraq on the crisis list, and for each seed case a request form, its
 * assessment and its approval (a plan with its budget committed). Idempotent: a case that already
 * has a request is left alone; a case that already left cannot get a form any more (skipped).
 */
export async function seedReintegrationSelection(db: Kysely<DB>): Promise<SeededReintegration[]> {
  if (!(await isListed(db, 'IQ', 'conflict'))) {
    await db.transaction().execute((trx) =>
      createCrisisCountry(trx, ADMIN, {
        country: 'IQ',
        kind: 'conflict',
        valid_from: '2003-03-20',
        source: 'Seed fixture (illustrative): armed conflict in Iraq at the time of the 2010–2011 returns',
      }),
    )
  }
  const seeded: SeededReintegration[] = []
  for (const seed of SEED_PLANS) {
    const caseRow = await caseByReference(db, seed.externalReference)
    if (!caseRow) {
      seeded.push(outcomeOf(seed, 'skipped', 'no such case'))
      continue
    }
    const existing = await firstRequestOfCase(db, caseRow.id)
    if (existing) {
      seeded.push(outcomeOf(seed, 'exists', `request ${existing.status}`))
      continue
    }
    if (!REQUEST_FORM_CASE_STATUSES.includes(caseRow.status) || !caseRow.project_id) {
      seeded.push(outcomeOf(seed, 'skipped', `case is ${caseRow.status}${caseRow.project_id ? '' : ' without a project'}`))
      continue
    }
    const budgetMinor = await db.transaction().execute(async (trx) => {
      const request = await createRequest(trx, COUNSELLOR, caseRow.id, {
        scope: 'household',
        filled_on: seed.filledOn,
        planned_activity: seed.plannedActivity,
        form_of_help: seed.formOfHelp,
        skills_and_experience: seed.skills,
        motivation_statement: seed.motivation,
        items: seed.items,
      })
      const ids = { caseId: caseRow.id, requestId: request.id }
      await assessRequest(trx, ASSESSOR, ids, undefined, { assessed_on: seed.assessedOn, feasibility: seed.feasibility, motivation: seed.motivationScore })
      const budgetMinor = itemsTotal(toItemValues(seed.items))
      await approveRequest(trx, APPROVER, ids, undefined, { budget: EUR(budgetMinor), note: 'Seed: selected under the 2010–2011 reintegration project' })
      return budgetMinor
    })
    seeded.push(outcomeOf(seed, 'created', `plan of EUR ${(budgetMinor / 100).toFixed(2)}`))
  }
  return seeded
}

async function seedSupplier(db: Kysely<DB>, key: keyof typeof SUPPLIERS, partnerOfficeId: string): Promise<string> {
  const { country, ...input } = SUPPLIERS[key] as SeedSupplier
  return ensureSupplier(db, country, partnerOfficeId, input)
}

/**
 * After arrival: the partner office records the returnee's first contact and registers the supplier, the supplier's invoice is paid through
 * an approved payment request, and the partner office confirms delivery, which completes the plan.
 * Idempotent: a plan that already has a disbursement is left alone; a case that has not arrived is
 * skipped.
 */
export async function seedReintegrationDelivery(db: Kysely<DB>): Promise<SeededReintegration[]> {
  const seeded: SeededReintegration[] = []
  for (const seed of SEED_PLANS) {
    const caseRow = await caseByReference(db, seed.externalReference)
    const plan = caseRow && (await firstPlanOfCase(db, caseRow.id))
    if (!caseRow || !plan) {
      seeded.push(outcomeOf(seed, 'skipped', 'no reintegration plan'))
      continue
    }
    if ((await disbursementsOfPlan(db, plan.id)).length > 0) {
      seeded.push(outcomeOf(seed, 'exists', `plan ${plan.status}`))
      continue
    }
    if (!RETURNED_CASE_STATUSES.includes(caseRow.status) || !caseRow.partner_office_id) {
      seeded.push(outcomeOf(seed, 'skipped', `case is ${caseRow.status}; suppliers are paid after arrival`))
      continue
    }
    const partnerOfficeId = caseRow.partner_office_id
    const supplierId = await seedSupplier(db, seed.supplier, partnerOfficeId)
    const partner = seedPartner(partnerOfficeId, caseRow.country_of_return.toLowerCase())
    await db.transaction().execute(async (trx) => {
      const ids = { caseId: caseRow.id, planId: plan.id }
      // Met at the airport by the partner office: the first contact is on the arrival day.
      const deadline = await getContactDeadline(trx, partner.actor, caseRow.id)
      await recordFirstContact(trx, partner, caseRow.id, undefined, { contacted_on: deadline.arrived_on, channel: 'in_person' })
      const disbursement = await createDisbursement(trx, COUNSELLOR, ids, {
        supplier_id: supplierId,
        items: seed.items,
        invoice_number: seed.invoice.number,
        invoice_date: seed.invoice.date,
      })
      await approveAndPay(trx, disbursement.payment_request_id, seed.invoice.date, `SEED-${seed.invoice.number}`)
      await confirmDelivery(trx, partner, { ...ids, disbursementId: disbursement.id }, undefined, {
        delivered_on: seed.invoice.deliveredOn,
        delivered_items: seed.invoice.delivered,
      })
    })
    seeded.push(outcomeOf(seed, 'created', `invoice ${seed.invoice.number} paid and delivered`))
  }
  return seeded
}
