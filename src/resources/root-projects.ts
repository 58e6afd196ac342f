import { notFound, permissionDenied } from '../http/errors';
import type { Context, Operation } from '../http/operation';
import { keyRestrictions, SCOPED_PROJECTS_ONLY } from '../http/scopes';
import { schemas } from '../http/validation';
import type { Project } from '../store/types';
import { currentProject, organizationsOf, projectsOf } from './organizations';
import { projectView } from './projects';

/**
 * The root project routes (`/api/projects/`, `/{id}/`, `/@current/`): PostHog's RootProjectViewSet, the
 * org-nested project viewset without an organization in the path. The list and retrieve are not limited
 * to the current organization: they cover every project in every organization the caller belongs to,
 * narrowed by a strict key's organizations; shapes are the org-nested routes' (short form in the list).
 */

const ROOT_PROJECTS = '/api/projects';
const BASIC_FIELDS = Object.keys(schemas.ProjectBasic!.properties!);

/** every project the caller can see, by id: their organizations', narrowed by a strict key's */
function visibleProjects(ctx: Context): Project[] {
  const { organizations } = keyRestrictions(ctx);
  return organizationsOf(ctx.store, ctx.user)
    .filter((o) => !organizations || organizations.includes(o.id))
    .flatMap((o) => projectsOf(ctx.store, o.id))
    .sort((a, b) => a.id - b.id);
}

/**
 * `@current` is the caller's current project (404 when they have none, or when its organization is outside
 * a strict key's organizations). An id outside a strict key's projects is a 403 before any lookup, as
 * PostHog checks the key first; an id the caller cannot see, or that does not exist, is a 404.
 */
function findRootProject(ctx: Context): Project {
  const id = ctx.params.id!;
  const { teams, organizations } = keyRestrictions(ctx);
  if (id === '@current') {
    const project = currentProject(ctx.store, ctx.user);
    if (!project || (organizations && !organizations.includes(project.organization))) throw notFound();
    if (teams && !teams.includes(project.id)) {
      throw permissionDenied(`API key does not have access to the requested project: ID ${project.id}.`);
    }
    return project;
  }
  if (!/^\d+$/.test(id)) throw notFound();
  if (teams && !teams.includes(Number(id))) {
    throw permissionDenied(`API key does not have access to the requested project: ID ${Number(id)}.`);
  }
  const project = visibleProjects(ctx).find((p) => p.id === Number(id));
  if (!project) throw notFound();
  return project;
}

export const rootProjectOperations: Operation[] = [
  {
    id: 'root_projects_list',
    method: 'GET',
    path: ROOT_PROJECTS,
    scope: 'project:read',
    restrictions: 'handler',
    response: 'PaginatedProjectBasicList',
    status: 200,
    handler: (ctx) => {
      if (keyRestrictions(ctx).teams) throw permissionDenied(SCOPED_PROJECTS_ONLY);
      // the same viewset as the org-nested list: `search` matches names, case-insensitively
      const search = ctx.query.search?.toLowerCase();
      const projects = visibleProjects(ctx).filter((p) => !search || p.name.toLowerCase().includes(search));
      return ctx.paginate(projects.map((p) => Object.fromEntries(BASIC_FIELDS.map((f) => [f, p[f]]))));
    },
  },
  {
    id: 'root_projects_retrieve',
    method: 'GET',
    path: `${ROOT_PROJECTS}/:id`,
    scope: 'project:read',
    restrictions: 'handler',
    response: 'Project',
    status: 200,
    handler: (ctx) => projectView(ctx, findRootProject(ctx)),
  },
];
