import type { Facts } from './types';

/**
 * Persons (core endpoints): the Person object and the bodies of its custom actions.
 * Person matches PostHog's published `Person` component; only `properties` is writable.
 */
export const facts: Facts = {
  Person: {
    docs: 'table:Person',
    request: true,
    patch: true,
    paginated: true,
    fields: {
      id: { type: 'integer', readOnly: true },
      name: { type: 'string', readOnly: true },
      distinct_ids: { type: 'array', items: { type: 'string' }, readOnly: true },
      // required in PUT (PostHog answers 400 `required` attr `properties`), optional in PATCH
      properties: { type: 'object', values: true, required: true },
      created_at: { type: 'string', format: 'date-time', readOnly: true },
      uuid: { type: 'string', format: 'uuid', readOnly: true },
    },
  },

  /**
   * POST persons/{id}/update_property. The docs put `key` and `value` in the query, the real server reads
   * the body: both are accepted, so neither is required here; the handler reports the missing one.
   */
  PersonUpdatePropertyRequest: {
    requestOnly: true,
    fields: {
      key: { type: 'string', minLength: 1 },
      value: { type: 'any' },
    },
  },

  /** POST persons/{id}/delete_property: `$unset` (query per the docs, body accepted too). */
  PersonDeletePropertyRequest: {
    requestOnly: true,
    fields: {
      $unset: { type: 'string', minLength: 1 },
    },
  },

  /** POST persons/{id}/split */
  PersonSplitRequest: {
    requestOnly: true,
    fields: {
      main_distinct_id: { type: 'string', nullable: true },
    },
  },

  /** `{"success": true}`, as split, update_property and delete_property answer. */
  PersonSuccess: {
    fields: {
      success: { type: 'boolean' },
    },
  },

  /** GET persons/{id}/properties_timeline */
  PersonPropertiesTimeline: {
    fields: {
      points: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            timestamp: { type: 'string', format: 'date-time' },
            properties: { type: 'object', values: true },
            relevant_event_count: { type: 'integer', minimum: 0 },
          },
        },
      },
      crucial_property_keys: { type: 'array', items: { type: 'string' } },
      effective_date_from: { type: 'string', format: 'date-time', nullable: true },
      effective_date_to: { type: 'string', format: 'date-time', nullable: true },
    },
  },

  /**
   * One entry of GET persons/values (the response is a JSON array of these). `name` is the property
   * value itself: a string, number, boolean, or a list/object for JSON-valued properties.
   */
  PersonPropertyValue: {
    fields: {
      name: { type: 'any' },
      count: { type: 'integer', minimum: 1 },
    },
  },
  /** GET persons/values: a plain JSON array */
  PersonPropertyValues: { fields: {}, arrayOf: { ref: 'PersonPropertyValue' } },

  /**
   * A cohort as GET persons/cohorts lists it: PostHog's CohortSerializer fields (the published subset has
   * no Cohort component).
   */
  Cohort: {
    fields: {
      id: { type: 'integer', readOnly: true },
      name: { type: 'string', nullable: true, maxLength: 400 },
      description: { type: 'string', maxLength: 1000 },
      groups: { type: 'array', items: { type: 'any' } },
      deleted: { type: 'boolean' },
      filters: { type: 'object', nullable: true, values: true },
      is_calculating: { type: 'boolean', readOnly: true },
      created_by: { ref: 'UserBasic', nullable: true, readOnly: true },
      created_at: { type: 'string', format: 'date-time', nullable: true, readOnly: true },
      last_calculation: { type: 'string', format: 'date-time', nullable: true, readOnly: true },
      errors_calculating: { type: 'integer', readOnly: true },
      count: { type: 'integer', nullable: true, readOnly: true },
      is_static: { type: 'boolean' },
    },
  },

  /** GET persons/cohorts?person_id= */
  PersonCohorts: {
    fields: {
      results: { type: 'array', items: { ref: 'Cohort' } },
    },
  },
};
