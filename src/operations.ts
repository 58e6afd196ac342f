import type { Operation } from './http/operation';
import { roleOperations } from './resources/roles';

/**
 * The table of operations: every endpoint the mock serves, in one list. Routing, authentication,
 * validation, pagination and error bodies are driven from these rows; each resource module owns its rows.
 */
export const operations: readonly Operation[] = [...roleOperations];
