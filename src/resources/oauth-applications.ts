import type { Operation } from '../http/operation';
import { newestFirst } from './views';

export const oauthApplicationOperations: Operation[] = [
  {
    id: 'oauth_applications_list',
    method: 'GET',
    path: '/api/organizations/:organization_id/oauth_applications',
    scope: 'organization:read',
    response: 'PaginatedOAuthApplicationList',
    status: 200,
    handler: (ctx) =>
      ctx.paginate(
        [...ctx.store.state.oauthApplications.values()]
          .filter((a) => a.organization_id === ctx.org.id)
          .sort(newestFirst('created'))
          .map(({ id, name, client_id, redirect_uris_list, is_verified, created, updated }) => ({
            id,
            name,
            client_id,
            redirect_uris_list,
            is_verified,
            created,
            updated,
          })),
      ),
  },
];
