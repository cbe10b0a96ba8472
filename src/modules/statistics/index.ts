/** The public face of statistics: the figures, the donor report, and the statements the benchmark replays. */
export { default as statisticsRoutes } from './routes.js'
export { returnsQuery, satisfactionQuery } from './aggregates.js'
