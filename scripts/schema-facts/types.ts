/**
 * The vocabulary of schema facts. The docs in ../shared/docs give each object's field names, base types
 * and required flags; a facts file adds what the docs' tables and examples cannot say (formats, enums,
 * limits, nullability, read-only/write-only, nested shapes, fields the docs truncate as "…N more").
 * scripts/derive-schemas.ts merges the two and writes one JSON Schema file per object form.
 */

export type JsonType = 'string' | 'integer' | 'number' | 'boolean' | 'object' | 'array';

export interface Field {
  /** JSON type; omit to take the type the docs give. 'any' = unconstrained. */
  type?: JsonType | 'any';
  nullable?: boolean;
  format?: 'uuid' | 'email' | 'date-time' | 'date' | 'uri' | 'iana-timezone';
  enum?: readonly (string | number | boolean | null)[];
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  maxItems?: number;
  /** a regular expression the string must match (DRF's DecimalField written as text, for one) */
  pattern?: string;
  /** element schema of an array */
  items?: Field;
  /** another object by name: its response form (e.g. 'UserBasic') */
  ref?: string;
  /** a nested object with these keys (all required, nothing else) */
  properties?: Record<string, Field>;
  /** a map object: values of this shape (true = anything) */
  values?: Field | true;
  /** only in responses, never accepted in requests */
  readOnly?: boolean;
  /** only in requests, never in responses */
  writeOnly?: boolean;
  /** required in the create/replace request */
  required?: boolean;
  /** may be absent from a response (normally every response key is required) */
  optional?: boolean;
  /** why this field's type differs from the type the docs print (e.g. a list the docs call "string") */
  docsTypeWrong?: string;
  /** why a field the docs' complete list does not name is part of the object */
  notInDocs?: string;
}

export interface ObjectFacts {
  /**
   * Where the docs describe it: `table:<SchemaName>` (persons/roles/pipelines page, property tables) or
   * `example:<METHOD> <path>` (org page, example responses; a paginated example uses its first result).
   * Omit for objects the docs only name (their fields then all come from here).
   */
  docs?: string;
  fields: Record<string, Field>;
  /** also write `<Name>Request.json` (create/replace body: writable fields) */
  request?: boolean;
  /** also write `Patched<Name>Request.json` (every writable field optional) */
  patch?: boolean;
  /** also write `Paginated<Name>List.json` ({count, next, previous, results}) */
  paginated?: boolean;
  /** this object is itself a request body: write only `<Name>.json` as a request schema */
  requestOnly?: boolean;
  /** `<Name>.json` is a top-level JSON array of this field (fields must then be empty) */
  arrayOf?: Field;
}

export type Facts = Record<string, ObjectFacts>;
