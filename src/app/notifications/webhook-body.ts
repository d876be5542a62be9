/**
 * Body of the status webhook (the original's ADM webhook `NotifyStatusUpdate`, generalised to
 * every change type and every device change, page by page): Standard Webhooks' envelope
 * `{ type, timestamp, data }` where `data` holds the bulk change, the page (`page` of `pages`)
 * and that page's device changes with their log entries.
 */
import type { CompletedBulkChange, DeviceChangeWithLog } from '../ports/notification-store.ts';

/** Builds the JSON body of one page. */
export function buildWebhookBody(input: {
  type: string;
  bulkChange: CompletedBulkChange;
  page: number;
  pages: number;
  pageSize: number;
  deviceChanges: readonly DeviceChangeWithLog[];
}): string {
  const bc = input.bulkChange;
  return JSON.stringify({
    type: input.type,
    timestamp: (bc.processedAt ?? bc.createdAt).toISOString(),
    data: {
      bulkChange: {
        id: bc.id,
        tenantId: bc.tenantId,
        serviceProviderId: bc.serviceProviderId,
        serviceProviderName: bc.serviceProviderName,
        integration: bc.integration,
        changeType: bc.changeType,
        status: bc.status,
        total: bc.total,
        counts: bc.counts,
        request: bc.request,
        createdBy: bc.createdBy,
        createdAt: bc.createdAt.toISOString(),
        processedAt: bc.processedAt?.toISOString() ?? null,
        errorText: bc.errorText,
      },
      page: input.page,
      pages: input.pages,
      pageSize: input.pageSize,
      deviceChanges: input.deviceChanges.map((dc) => ({
        id: dc.id,
        rowNumber: dc.rowNumber,
        deviceId: dc.deviceId,
        identifierKind: dc.identifierKind,
        identifier: dc.identifier,
        iccid: dc.iccid,
        msisdn: dc.msisdn,
        imei: dc.imei,
        eid: dc.eid,
        status: dc.status,
        statusDetails: dc.statusDetails,
        changeRequest: dc.changeRequest,
        processedAt: dc.processedAt?.toISOString() ?? null,
        logEntries: dc.logEntries.map((l) => ({
          processedAt: l.processedAt.toISOString(),
          description: l.description,
          responseStatus: l.responseStatus,
          requestText: l.requestText,
          responseText: l.responseText,
          hasErrors: l.hasErrors,
          errorText: l.errorText,
        })),
      })),
    },
  });
}
