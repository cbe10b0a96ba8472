/** The public face of statistics: the figures, the donor report, the statements the benchmark replays, and the read model's upkeep. */
export { default as statisticsRoutes } from './routes.js'
export { returnsQuery, satisfactionQuery } from './aggregates.js'
export {
  ensureReturnees as ensureStatisticsReadModel,
  rebuildReturnees as rebuildStatisticsReadModel,
  refreshReturneesOnCommit,
} from './read-model.js'
