import type { ProjectStatus } from '../../db/schema.js'
import { Workflow } from '../../shared/workflow.js'

export type ProjectAction = 'activate' | 'close'

/**
 * A project is set up while `planned`, charged while `active`, and read-only once `closed`.
 * A planned project that never starts can be closed directly.
 */
export const projectWorkflow = new Workflow<ProjectStatus, ProjectAction>('project', {
  activate: { from: ['planned'], to: 'active' },
  close: { from: ['planned', 'active'], to: 'closed' },
})
