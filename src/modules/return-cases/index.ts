/**
 * The public face of return cases: the case and its household as other modules may use them,
 * the case workflow (`transitionCase`: travel and reintegration move a case too), and the
 * writes the seed data goes through.
 */
export { default as returnCasesRoutes } from './routes.js'
export { assertCaseOpen, caseRecordReads, findCaseForActor, findCaseWithMembersForActor, listCaseMembers, lockOpenCase, type CaseMemberRow, type ReturnCaseRow } from './access.js'
export { CHILD_AGE_LIMIT, ELDERLY_AGE, ageOn } from './household.js'
export { RESTRICTED, isRestrictedCode } from './restricted.js'
export { CASE_WORKFLOW, transitionCase, type CaseAction } from './transitions.js'
export { createCase } from './service.js'
export { createSession } from './counselling.js'
export { caseWithMembersQuery } from './repository.js'
export type { ConsentInput, CreateReturnCaseInput } from './schemas.js'
export { findCaseByExternalReference } from './repository.js'
export { wireCaseDependents, type CaseDependents, type CaseRecords, type MemberRecords } from './ports.js'
export { caseFacts, casesReferredTo, findCase, isCaseReferredTo, lockCase } from './repository.js'
export { hasMedicalNeeds, needsMedicalEscort } from './repository.js'
export { arrivedOrDepartedOn } from './repository.js'
export { vulnerabilityCodesOfCase } from './repository.js'
export { returneeFacts, vulnerabilityFacts } from './facts.js'
export { closureReasonFrom } from './transitions.js'
export { LEGAL_STATUSES, SEXES, VULNERABILITY_CODES } from './schemas.js'
