/**
 * The completion email of a bulk change: a summary (counts per status, failures first with
 * their reasons), the change type's own report (EditUsernameCostCenter: the username report),
 * in HTML and plain text, and the CSV of every device's result as an attachment.
 */
import type { EmailAttachment, EmailMessage } from '../ports/notification-channels.ts';
import type {
  CompletedBulkChange,
  DeviceChangeResult,
  FailedDeviceChange,
  UsernameReportLine,
} from '../ports/notification-store.ts';
import { csvChunks } from './csv.ts';
import { escapeHtml } from './html.ts';
import { usernameReportHtml, usernameReportText } from './username-report.ts';

/** Statuses listed first in the counts: the ones needing attention. */
const STATUS_ORDER = [
  'API_FAILED',
  'ERROR',
  'CANCELLED',
  'NEW',
  'PENDING',
  'PROCESSING',
  'PROCESSED',
];

/** File name of the results attachment. */
export const RESULTS_CSV_FILENAME = 'results.csv';

/** Header of `results.csv`. */
export const RESULTS_CSV_HEADER: readonly string[] = [
  'row',
  'identifier_kind',
  'identifier',
  'iccid',
  'msisdn',
  'imei',
  'eid',
  'status',
  'status_details',
  'processed_at',
];

/** What the email is made of. */
export interface CompletionEmailInput {
  bulkChange: CompletedBulkChange;
  /** The first failures (at most a few hundred; the CSV has all). */
  failures: readonly FailedDeviceChange[];
  /** Username report lines shown inline, when the change type has that report. */
  usernameReport?: { lines: readonly UsernameReportLine[]; total: number };
  /** Every device's result, page by page (the CSV attachment). */
  results: AsyncIterable<DeviceChangeResult[]>;
  /** Further attachments (the username report CSV). */
  extraAttachments?: readonly EmailAttachment[];
  messageId: string;
}

/** Counts ordered failures first; unknown statuses after the known ones. */
export function orderedCounts(counts: Readonly<Record<string, number>>): Array<[string, number]> {
  const rank = (s: string) => {
    const i = STATUS_ORDER.indexOf(s);
    return i === -1 ? STATUS_ORDER.length : i;
  };
  return Object.entries(counts)
    .filter(([, n]) => n > 0)
    .sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b));
}

/** Device changes that did not succeed. */
export function failedCount(counts: Readonly<Record<string, number>>): number {
  return (counts.API_FAILED ?? 0) + (counts.ERROR ?? 0) + (counts.CANCELLED ?? 0);
}

/** The results CSV, streamed from the pages. */
export function resultsCsv(pages: AsyncIterable<DeviceChangeResult[]>): AsyncIterable<string> {
  return csvChunks(RESULTS_CSV_HEADER, pages, (r) => [
    r.rowNumber,
    r.identifierKind,
    r.identifier,
    r.iccid,
    r.msisdn,
    r.imei,
    r.eid,
    r.status,
    r.statusDetails,
    r.processedAt,
  ]);
}

/**
 * Builds the completion email.
 *
 * @example
 * const message = buildCompletionEmail({ bulkChange, failures, results, messageId }, ['ops@x.example']);
 */
export function buildCompletionEmail(
  input: CompletionEmailInput,
  to: readonly string[],
): EmailMessage {
  const bc = input.bulkChange;
  const failed = failedCount(bc.counts);
  const succeeded = bc.counts.PROCESSED ?? 0;
  const outcome =
    bc.status === 'ERROR' ? 'failed' : failed > 0 ? `${failed} of ${bc.total} failed` : 'succeeded';
  const subject = `Bulk change ${bc.id} (${bc.changeType}, ${bc.serviceProviderName}): ${outcome}`;
  const counts = orderedCounts(bc.counts);
  const facts: Array<[string, string]> = [
    ['Bulk change', String(bc.id)],
    ['Change type', bc.changeType],
    ['Service provider', `${bc.serviceProviderName} (${bc.integration})`],
    ['Status', bc.status],
    ['Devices', String(bc.total)],
    ['Succeeded', String(succeeded)],
    ['Failed', String(failed)],
    ['Requested by', bc.createdBy],
    ['Requested at', bc.createdAt.toISOString()],
    ['Finished at', bc.processedAt?.toISOString() ?? '-'],
  ];
  if (bc.errorText !== null) facts.push(['Error', bc.errorText]);
  const failuresTitle =
    input.failures.length < failed
      ? `Failures (first ${input.failures.length} of ${failed}; every device is in results.csv)`
      : `Failures (${failed})`;

  const text = [
    `Bulk change ${bc.id} has finished: ${outcome}.`,
    '',
    ...facts.map(([k, v]) => `${k}: ${v}`),
    '',
    'Devices per status:',
    ...counts.map(([s, n]) => `  ${s}: ${n}`),
    ...(failed > 0
      ? [
          '',
          `${failuresTitle}:`,
          ...input.failures.map((f) =>
            `  row ${f.rowNumber}  ${f.identifier}  ${f.status}  ${f.details ?? ''}`.trimEnd(),
          ),
        ]
      : []),
    ...(input.usernameReport === undefined
      ? []
      : ['', usernameReportText(input.usernameReport.lines, input.usernameReport.total)]),
    '',
    "Attached: results.csv (every device's result).",
  ].join('\n');

  const html = [
    '<!doctype html><html><body style="font-family:sans-serif">',
    `<h1>Bulk change ${bc.id}: ${escapeHtml(outcome)}</h1>`,
    `<table cellpadding="3">${facts.map(([k, v]) => `<tr><th align="left">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('')}</table>`,
    '<h2>Devices per status</h2>',
    `<ul>${counts.map(([s, n]) => `<li>${escapeHtml(s)}: ${n}</li>`).join('')}</ul>`,
    ...(failed > 0
      ? [
          `<h2>${escapeHtml(failuresTitle)}</h2>`,
          '<table border="1" cellpadding="4" cellspacing="0"><thead><tr><th>Row</th><th>Device</th><th>Status</th><th>Reason</th></tr></thead><tbody>',
          ...input.failures.map(
            (f) =>
              `<tr><td>${f.rowNumber}</td><td>${escapeHtml(f.identifier)}</td><td>${escapeHtml(f.status)}</td><td>${escapeHtml(f.details ?? '')}</td></tr>`,
          ),
          '</tbody></table>',
        ]
      : []),
    ...(input.usernameReport === undefined
      ? []
      : [usernameReportHtml(input.usernameReport.lines, input.usernameReport.total)]),
    "<p>Attached: results.csv (every device's result).</p>",
    '</body></html>',
  ].join('\n');

  return {
    to,
    subject,
    text,
    html,
    messageId: input.messageId,
    attachments: [
      {
        filename: RESULTS_CSV_FILENAME,
        contentType: 'text/csv; charset=utf-8',
        content: resultsCsv(input.results),
      },
      ...(input.extraAttachments ?? []),
    ],
  };
}
