import { notFound, validationError } from '../http/errors';
import type { AdminAccess } from '../http/access';
import type { Context, Operation } from '../http/operation';
import { schemas } from '../http/validation';
import type { Store } from '../store/store';
import { projectSettingsDefaults } from '../store/project-defaults';
import type { Project } from '../store/types';
import { now } from '../time';
import { activityOf, recordActivity, type ActivityChange, type ActivitySubject } from './activity';
import { isObject } from './property-filters';
import { actingLevel } from './views';

const PROJECTS = '/api/organizations/:organization_id/projects';

/** The documented field lists, in the docs' order: the list's short form and the full project. */
const BASIC_FIELDS = Object.keys(schemas.ProjectBasic!.properties!);
const FULL_FIELDS = Object.keys(schemas.Project!.properties!);
/** Settings whose PATCH merges into the stored object instead of replacing it. */
const MERGED_ON_PATCH = new Set(['session_replay_config', 'survey_config']);

const pick = (project: Project, fields: string[]) => Object.fromEntries(fields.map((f) => [f, project[f]]));
/** The full project; `effective_membership_level` is the caller's level, as in PostHog. */
export const projectView = (ctx: Context, project: Project) => ({
  ...pick(project, FULL_FIELDS),
  effective_membership_level: actingLevel(ctx.store, project.organization, ctx.user),
});

const projectsOf = (ctx: Context) =>
  [...ctx.store.state.projects.values()].filter((p) => p.organization === ctx.org.id);

function findProject(ctx: Context): Project {
  const id = ctx.params.id!;
  const project = /^\d+$/.test(id) ? ctx.store.state.projects.get(Number(id)) : undefined;
  if (!project || project.organization !== ctx.org.id) throw notFound();
  return project;
}

/** Creating a project is for organization admins, as in PostHog. */
const ORG_ADMIN_ONLY: AdminAccess = {
  level: 'admin',
  denied: 'Your organization access level is insufficient.',
};
/** Deleting a project and resetting its token are project admin actions. */
const PROJECT_ADMIN_ONLY: AdminAccess = {
  level: 'admin',
  denied: "You don't have sufficient permissions in the project.",
};

/** The mock has no dashboards, so only `null` is a valid primary dashboard. */
function checkPrimaryDashboard(body: Record<string, unknown>): void {
  const id = body.primary_dashboard;
  if (id !== undefined && id !== null) {
    throw validationError(
      'does_not_exist',
      `Invalid pk "${String(id)}" - object does not exist.`,
      'primary_dashboard',
    );
  }
}

const subject = (project: Project): ActivitySubject => ({
  scope: 'Project',
  item_id: String(project.id),
  team_id: project.id,
  name: project.name,
});

function update(ctx: Context<Record<string, unknown>>, partial: boolean) {
  const project = findProject(ctx);
  checkPrimaryDashboard(ctx.body);
  const changes: ActivityChange[] = [];
  for (const [field, value] of Object.entries(ctx.body)) {
    const before = project[field];
    const after =
      partial && MERGED_ON_PATCH.has(field) && isObject(before) && isObject(value)
        ? { ...before, ...value }
        : value;
    if (JSON.stringify(before) === JSON.stringify(after)) continue;
    project[field] = after;
    changes.push({ type: 'Project', action: 'changed', field, before, after });
  }
  if (changes.length > 0) {
    project.updated_at = now();
    recordActivity(ctx, subject(project), 'updated', changes);
  }
  return projectView(ctx, project);
}

function createProject(ctx: Context<Record<string, unknown>>) {
  if (ctx.body.primary_dashboard !== undefined) {
    throw validationError(
      'invalid_input',
      'Primary dashboard cannot be set on project creation.',
      'primary_dashboard',
    );
  }
  const store: Store = ctx.store;
  const created = now();
  const project: Project = {
    ...projectSettingsDefaults(),
    ...ctx.body,
    id: store.next('project'),
    uuid: store.uuid(),
    organization: ctx.org.id,
    name: (ctx.body.name as string | undefined) ?? 'Default project',
    api_token: store.token('phc_'),
    secret_api_token: store.token('phs_', 35),
    live_events_token: store.token('', 32),
    timezone: (ctx.body.timezone as string | undefined) ?? 'UTC',
    created_at: created,
    updated_at: created,
    person_display_name_properties:
      (ctx.body.person_display_name_properties as string[] | null | undefined) ?? null,
  };
  store.state.projects.set(project.id, project);
  recordActivity(ctx, subject(project), 'created', null);
  return projectView(ctx, project);
}

/** Deleting a project takes everything in it along. */
function deleteProject(ctx: Context) {
  const project = findProject(ctx);
  const { state } = ctx.store;
  state.projects.delete(project.id);
  state.persons.deleteTeam(project.id);
  for (const table of [state.cohorts, state.pluginConfigs]) {
    for (const [id, item] of table) if (item.team_id === project.id) table.delete(id);
  }
  recordActivity(ctx, subject(project), 'deleted', null);
}

export const projectOperations: Operation[] = [
  {
    id: 'list',
    method: 'GET',
    path: PROJECTS,
    scope: 'project:read',
    response: 'PaginatedProjectBasicList',
    status: 200,
    handler: (ctx) => {
      const search = ctx.query.search?.toLowerCase();
      const projects = projectsOf(ctx)
        .filter((p) => !search || p.name.toLowerCase().includes(search))
        .sort((a, b) => a.id - b.id);
      return ctx.paginate(projects.map((p) => pick(p, BASIC_FIELDS)));
    },
  },
  {
    id: 'create',
    method: 'POST',
    path: PROJECTS,
    scope: 'project:write',
    request: 'ProjectRequest',
    response: 'Project',
    status: 201,
    access: ORG_ADMIN_ONLY,
    handler: createProject,
  },
  {
    id: 'retrieve',
    method: 'GET',
    path: `${PROJECTS}/:id`,
    scope: 'project:read',
    response: 'Project',
    status: 200,
    handler: (ctx) => projectView(ctx, findProject(ctx)),
  },
  {
    id: 'update',
    method: 'PUT',
    path: `${PROJECTS}/:id`,
    scope: 'project:write',
    request: 'ProjectRequest',
    response: 'Project',
    status: 200,
    handler: (ctx) => update(ctx, false),
  },
  {
    id: 'partial_update',
    method: 'PATCH',
    path: `${PROJECTS}/:id`,
    scope: 'project:write',
    request: 'PatchedProjectRequest',
    response: 'Project',
    status: 200,
    handler: (ctx) => update(ctx, true),
  },
  {
    id: 'destroy',
    method: 'DELETE',
    path: `${PROJECTS}/:id`,
    scope: 'project:write',
    status: 204,
    access: PROJECT_ADMIN_ONLY,
    handler: deleteProject,
  },
  {
    id: 'activity_retrieve',
    method: 'GET',
    path: `${PROJECTS}/:id/activity`,
    scope: null,
    response: 'ActivityLogPage',
    status: 200,
    handler: (ctx) => activityOf(ctx, 'Project', String(findProject(ctx).id)),
  },
  {
    id: 'is_generating_demo_data_retrieve',
    method: 'GET',
    path: `${PROJECTS}/:id/is_generating_demo_data`,
    scope: null,
    response: 'IsGeneratingDemoData',
    status: 200,
    handler: (ctx) => {
      findProject(ctx);
      // the mock never generates demo data in the background: every project's data is seeded up front
      return { is_generating_demo_data: false };
    },
  },
  {
    id: 'reset_token_partial_update',
    method: 'PATCH',
    path: `${PROJECTS}/:id/reset_token`,
    scope: null,
    response: 'Project',
    status: 200,
    access: PROJECT_ADMIN_ONLY,
    handler: (ctx) => {
      const project = findProject(ctx);
      const before = project.api_token;
      project.api_token = ctx.store.token('phc_');
      project.updated_at = now();
      recordActivity(ctx, subject(project), 'updated', [
        { type: 'Project', action: 'changed', field: 'api_token', before, after: project.api_token },
      ]);
      return projectView(ctx, project);
    },
  },
];
