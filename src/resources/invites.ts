import { notFound, permissionDenied, validationError } from '../http/errors';
import type { Context, Operation } from '../http/operation';
import type { Store } from '../store/store';
import type { Invite, Level } from '../store/types';
import { now } from '../time';
import { actingLevel, newestFirst, userBasicOrNull } from './views';

const INVITES = '/api/organizations/:organization_id/invites';
/** An invite expires three days after it was sent. */
const EXPIRY_MS = 3 * 24 * 60 * 60 * 1000;
const BULK_MAX = 20;

interface InviteBody {
  target_email: string;
  first_name?: string;
  level?: Level;
  message?: string | null;
  private_project_access?: { id: number; level: number }[] | null;
  send_email?: boolean;
  combine_pending_invites?: boolean;
}

export function inviteView(store: Store, invite: Invite) {
  return {
    id: invite.id,
    target_email: invite.target_email,
    first_name: invite.first_name,
    emailing_attempt_made: invite.emailing_attempt_made,
    level: invite.level,
    is_expired: Date.now() - Date.parse(invite.created_at) > EXPIRY_MS,
    created_by: userBasicOrNull(store, invite.created_by_id),
    created_at: invite.created_at,
    updated_at: invite.updated_at,
    message: invite.message,
    private_project_access: invite.private_project_access,
    send_email: invite.send_email,
    combine_pending_invites: invite.combine_pending_invites,
  };
}

const invitesOf = (ctx: Context) =>
  [...ctx.store.state.invites.values()].filter((i) => i.organization_id === ctx.org.id);

/** PostHog's checks on one invite, before anything is written. */
function checkInvite(ctx: Context, body: InviteBody): void {
  const email = body.target_email.toLowerCase();
  const member = [...ctx.store.state.memberships.values()].some(
    (m) => m.organization_id === ctx.org.id && ctx.store.user(m.user_id).email.toLowerCase() === email,
  );
  if (member)
    throw validationError(
      'invalid_input',
      'A user with this email address already belongs to the organization.',
    );
  if ((body.level ?? 1) > actingLevel(ctx.store, ctx.org.id, ctx.user)) {
    throw permissionDenied('You cannot invite a user with a higher permission level than your own.');
  }
  for (const access of body.private_project_access ?? []) {
    const project = ctx.store.state.projects.get(access.id);
    if (!project || project.organization !== ctx.org.id) {
      throw validationError(
        'invalid_input',
        `Project ${access.id} does not exist.`,
        'private_project_access',
      );
    }
  }
}

/** A pending invite for the same email is replaced, not duplicated. */
function createInvite(ctx: Context, body: InviteBody) {
  const email = body.target_email.toLowerCase();
  for (const old of invitesOf(ctx)) {
    if (old.target_email.toLowerCase() === email) ctx.store.state.invites.delete(old.id);
  }
  const at = now();
  const invite: Invite = {
    id: ctx.store.uuid(),
    organization_id: ctx.org.id,
    target_email: body.target_email,
    first_name: body.first_name ?? '',
    emailing_attempt_made: body.send_email ?? true,
    level: body.level ?? 1,
    created_by_id: ctx.user.id,
    created_at: at,
    updated_at: at,
    message: body.message ?? null,
    private_project_access: body.private_project_access ?? null,
    send_email: body.send_email ?? true,
    combine_pending_invites: body.combine_pending_invites ?? false,
  };
  ctx.store.state.invites.set(invite.id, invite);
  return inviteView(ctx.store, invite);
}

function bulkCreate(ctx: Context) {
  const items = ctx.body;
  if (!Array.isArray(items)) {
    throw validationError('invalid_input', 'This endpoint needs an array of data for bulk invite creation.');
  }
  if (items.length > BULK_MAX) {
    throw validationError('max_length', `A maximum of ${BULK_MAX} invites can be sent in a single request.`);
  }
  // every invite is checked before any is written, so a bad one leaves the store as it was
  const bodies = items.map((item, i) =>
    ctx.validate<InviteBody>('OrganizationInviteRequest', item, String(i)),
  );
  for (const body of bodies) checkInvite(ctx, body);
  return bodies.map((body) => createInvite(ctx, body));
}

export const inviteOperations: Operation[] = [
  {
    id: 'invites_list',
    method: 'GET',
    path: INVITES,
    scope: 'organization_member:read',
    response: 'PaginatedOrganizationInviteList',
    status: 200,
    handler: (ctx) =>
      ctx.paginate(invitesOf(ctx).sort(newestFirst('created_at')), (i) => inviteView(ctx.store, i)),
  },
  {
    id: 'invites_create',
    method: 'POST',
    path: INVITES,
    scope: 'organization_member:write',
    request: 'OrganizationInviteRequest',
    response: 'OrganizationInvite',
    status: 201,
    handler: (ctx: Context<InviteBody>) => {
      checkInvite(ctx, ctx.body);
      return createInvite(ctx, ctx.body);
    },
  },
  {
    id: 'invites_destroy',
    method: 'DELETE',
    path: `${INVITES}/:id`,
    scope: 'organization_member:write',
    status: 204,
    handler: (ctx) => {
      const invite = ctx.store.state.invites.get(ctx.params.id!.toLowerCase());
      if (!invite || invite.organization_id !== ctx.org.id) throw notFound();
      ctx.store.state.invites.delete(invite.id);
    },
  },
  {
    // the docs answer 200; the real server answers 201 (see the README's differences)
    id: 'invites_bulk_create',
    method: 'POST',
    path: `${INVITES}/bulk`,
    scope: 'organization_member:write',
    response: 'OrganizationInviteList',
    status: 200,
    handler: bulkCreate,
  },
];
