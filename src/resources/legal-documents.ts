import { notFound, validationError } from '../http/errors';
import type { AdminAccess } from '../http/access';
import type { Context, Operation } from '../http/operation';
import type { Store } from '../store/store';
import type { LegalDocument } from '../store/types';
import { now } from '../time';
import { newestFirst } from './views';

const DOCUMENTS = '/api/organizations/:organization_id/legal_documents';

type DocumentBody = Partial<Omit<LegalDocument, 'document_type'>> & Pick<LegalDocument, 'document_type'>;

function documentView(store: Store, doc: LegalDocument) {
  const author = doc.created_by_id === null ? undefined : store.state.users.get(doc.created_by_id);
  return {
    id: doc.id,
    document_type: doc.document_type,
    company_name: doc.company_name,
    representative_name: doc.representative_name,
    representative_email: doc.representative_email,
    status: doc.status,
    signed_document_url: doc.signed_document_url,
    created_by: author ? { first_name: author.first_name, email: author.email } : null,
    created_at: doc.created_at,
  };
}

const documentsOf = (ctx: Context) =>
  [...ctx.store.state.legalDocuments.values()].filter((d) => d.organization_id === ctx.org.id);

/** Legal documents are for admins and owners, for reads as well as writes (as in PostHog). */
const ADMIN_ONLY: AdminAccess = { level: 'admin', denied: 'Your organization access level is insufficient.' };

/** One document of each type per organization; only admins and owners sign for it. */
function createDocument(ctx: Context<DocumentBody>) {
  const type = ctx.body.document_type;
  if (documentsOf(ctx).some((d) => d.document_type === type)) {
    throw validationError(
      'invalid_input',
      `Your organization already has a ${type}. Contact support if you need a new one.`,
      'document_type',
    );
  }
  const doc: LegalDocument = {
    id: ctx.store.uuid(),
    organization_id: ctx.org.id,
    document_type: type,
    // required by LegalDocumentRequest, as PostHog's serializer requires them (the docs do not say so)
    company_name: ctx.body.company_name!,
    company_address: ctx.body.company_address!,
    representative_name: ctx.body.representative_name ?? '',
    representative_title: ctx.body.representative_title ?? '',
    representative_email: ctx.body.representative_email!,
    dpa_mode: ctx.body.dpa_mode ?? '',
    status: 'submitted_for_signature',
    signed_document_url: null,
    created_by_id: ctx.user.id,
    created_at: now(),
  };
  ctx.store.state.legalDocuments.set(doc.id, doc);
  return documentView(ctx.store, doc);
}

export const legalDocumentOperations: Operation[] = [
  {
    id: 'legal_documents_list',
    method: 'GET',
    path: DOCUMENTS,
    scope: 'legal_document:read',
    response: 'PaginatedLegalDocumentList',
    status: 200,
    access: ADMIN_ONLY,
    handler: (ctx) =>
      ctx.paginate(documentsOf(ctx).sort(newestFirst('created_at')), (d) => documentView(ctx.store, d)),
  },
  {
    id: 'legal_documents_create',
    method: 'POST',
    path: DOCUMENTS,
    scope: 'legal_document:write',
    request: 'LegalDocumentRequest',
    response: 'LegalDocument',
    status: 201,
    access: ADMIN_ONLY,
    handler: createDocument,
  },
  {
    id: 'legal_documents_retrieve',
    method: 'GET',
    path: `${DOCUMENTS}/:id`,
    scope: 'legal_document:read',
    response: 'LegalDocument',
    status: 200,
    access: ADMIN_ONLY,
    handler: (ctx) => {
      const doc = ctx.store.state.legalDocuments.get(ctx.params.id!.toLowerCase());
      if (!doc || doc.organization_id !== ctx.org.id) throw notFound();
      return documentView(ctx.store, doc);
    },
  },
];
