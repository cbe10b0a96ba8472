/**
 * The public face of projects: projects, their co-funders and budget lines, and the ledger of
 * every line (commitments, releases, spends). Budget lines and their ledger are one module
 * because a line's balances are changed by the very statement that appends its ledger entry.
 */
export { default as projectsRoutes } from './routes.js'
export { default as ledgerRoutes } from './ledger-routes.js'
export { assertProjectAcceptsCase, budgetLineForCost, findProjectRow, type BudgetCategory, type BudgetLineRow, type CostKind, type ProjectRow } from './access.js'
export {
  commitFunds,
  creditRefund,
  openCommitment,
  releaseFunds,
  releaseOpenCommitmentsForCase,
  spendFunds,
  type LedgerEntryRow,
  type LedgerPosting,
  type LedgerSource,
} from './ledger.js'
export { createBudgetLine, createProject, transitionProject } from './service.js'
export type { CreateBudgetLineInput, CreateProjectInput } from './schemas.js'
export { findProjectByCode } from './repository.js'
export { findBudgetLineById, lockBudgetLines } from './repository.js'
export { budgetLinesOfCase, releasesOfRequest } from './ledger-repository.js'
export { budgetReport, formatAmount } from './report.js'
export type { BudgetReportRecord } from './schemas.js'
export { BudgetReport, BudgetReportCoFunder, BudgetReportLine } from './schemas.js'
export { PROJECT_READERS } from './routes.js'
