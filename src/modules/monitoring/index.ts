/** The public face of monitoring after return: visits, satisfaction surveys and sustainability assessments. */
export { default as monitoringRoutes } from './routes.js'
export { monitoringRecordsOfMember } from './repository.js'
export { SATISFIED_AT_OR_ABOVE, satisfactionAnswers, sustainabilityScores } from './facts.js'
export { createSurvey } from './service.js'
