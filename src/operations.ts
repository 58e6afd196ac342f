import type { Operation } from './http/operation';
import { inviteOperations } from './resources/invites';
import { legalDocumentOperations } from './resources/legal-documents';
import { memberOperations } from './resources/members';
import { oauthApplicationOperations } from './resources/oauth-applications';
import { organizationOperations } from './resources/organizations';
import { personalApiKeyOperations } from './resources/personal-api-keys';
import { projectOperations } from './resources/projects';
import { personOperations } from './resources/persons';
import { personInsightOperations } from './resources/person-insights';
import { pluginConfigOperations } from './resources/plugin-configs';
import { roleOperations } from './resources/roles';
import { rootProjectOperations } from './resources/root-projects';
import { userOperations } from './resources/users';

/**
 * The table of operations: every endpoint the mock serves, in one list. Routing, authentication,
 * validation, pagination and error bodies are driven from these rows; each resource module owns its rows.
 */
export const operations: readonly Operation[] = [
  ...projectOperations,
  ...roleOperations,
  ...inviteOperations,
  ...memberOperations,
  ...legalDocumentOperations,
  ...oauthApplicationOperations,
  ...personOperations,
  ...personInsightOperations,
  ...pluginConfigOperations,
  // the calls PostHog's clients make first: who am I, with which key, what can I see
  ...userOperations,
  ...personalApiKeyOperations,
  ...organizationOperations,
  ...rootProjectOperations,
];
