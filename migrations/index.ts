import type { Migration } from 'kysely'
import * as foundation from './20261123160000_foundation.js'
import * as returnCases from './20261123170100_return_cases.js'
import * as projectsLedger from './20261123170200_projects_ledger.js'
import * as paymentsCashGrants from './20261123170300_payments_cash_grants.js'
import * as travel from './20261123170400_travel.js'
import * as reintegration from './20261123170500_reintegration.js'
import * as supplierDeactivation from './20261123170600_supplier_deactivation.js'
import * as mic from './20261202130000_mic.js'
import * as contactDeadlines from './20261202150000_contact_deadlines.js'
import * as eventsFeedWebhooks from './20261202120000_events_feed_webhooks.js'
import * as caseClosureAndApplication from './20261202140000_case_closure_and_application.js'
import * as statisticsIndexes from './20261202140100_statistics_indexes.js'
import * as rateLimitCounters from './20261202060000_rate_limit_counters.js'
import * as caseListIndexes from './20261202170000_case_list_indexes.js'
import * as costRoutingAndRefunds from './20261202180100_cost_routing_and_refunds.js'
import * as carrierRefunds from './20261202180200_carrier_refunds.js'
import * as transitVisas from './20261202180300_transit_visas.js'
import * as travelArrangements from './20261202180400_travel_arrangements.js'
import * as childVulnerableTargets from './20261202190100_child_vulnerable_targets.js'

/** Every migration, in order. Names are timestamp-prefixed so they sort as they were written. */
export const migrations: Record<string, Migration> = {
  '20261123160000_foundation': foundation,
  '20261123170100_return_cases': returnCases,
  '20261123170200_projects_ledger': projectsLedger,
  '20261123170300_payments_cash_grants': paymentsCashGrants,
  '20261123170400_travel': travel,
  '20261123170500_reintegration': reintegration,
  '20261123170600_supplier_deactivation': supplierDeactivation,
  '20261202130000_mic': mic,
  '20261202150000_contact_deadlines': contactDeadlines,
  '20261202120000_events_feed_webhooks': eventsFeedWebhooks,
  '20261202140000_case_closure_and_application': caseClosureAndApplication,
  '20261202140100_statistics_indexes': statisticsIndexes,
  '20261202060000_rate_limit_counters': rateLimitCounters,
  '20261202170000_case_list_indexes': caseListIndexes,
  '20261202180100_cost_routing_and_refunds': costRoutingAndRefunds,
  '20261202180200_carrier_refunds': carrierRefunds,
  '20261202180300_transit_visas': transitVisas,
  '20261202180400_travel_arrangements': travelArrangements,
  '20261202190100_child_vulnerable_targets': childVulnerableTargets,
}
