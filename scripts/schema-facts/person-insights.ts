import { FILTER_PARAMS } from '../../src/resources/person-insights';
import type { Facts, Field } from './types';

/**
 * People of an insight: GET/POST persons/funnel, funnel/correlation, path; GET persons/trends, lifecycle,
 * stickiness, retention. The published OpenAPI has no response schema for most of them ("No response
 * body"; path/retention from a 2023 export say Person): the shapes are PostHog's PersonViewSet responses.
 */
const page: Record<string, Field> = {
  results: {
    type: 'array',
    items: {
      type: 'object',
      properties: {
        people: { type: 'array', items: { ref: 'Person' } },
        // the number of people on this page, as PostHog counts it
        count: { type: 'integer', minimum: 0 },
      },
    },
  },
  next: { type: 'string', format: 'uri', nullable: true },
};

export const facts: Facts = {
  /** lifecycle, stickiness, retention: `{results: [{people, count}], next}` */
  PersonsOfInsight: { fields: page },

  /** funnel, funnel/correlation, trends, path: PostHog's cached-result envelope */
  CachedPersonsOfInsight: {
    fields: {
      ...page,
      initial: { type: 'string', format: 'uri' },
      missing_persons: { type: 'integer', minimum: 0 },
      is_cached: { type: 'boolean' },
      last_refresh: { type: 'string', format: 'date-time', nullable: true },
    },
  },

  /**
   * POST persons/funnel, funnel/correlation, path. The docs name the Person serializer as the body (DRF's
   * default for a custom action); the server reads the insight filter from it, merged over the query
   * string. Values may be JSON-typed or strings (form bodies), so the handler parses each one as PostHog's
   * Filter does and reports the first bad one; here every key is listed so that none is dropped.
   */
  PersonsOfInsightRequest: {
    requestOnly: true,
    fields: {
      ...Object.fromEntries(Object.keys(FILTER_PARAMS).map((name) => [name, { type: 'any' } as Field])),
      limit: { type: 'any' },
      offset: { type: 'any' },
      format: { type: 'any' },
    },
  },
};
