/** Formatting shared by the operations views (alerts, approvals, principals, status). */

/**
 * A wire timestamp for people, in UTC: AWS JSON answers epoch seconds (a number), ListAlerts answers
 * ISO 8601 strings; anything else is shown as it came.
 */
export function formatTime(v: unknown): string {
  let d: Date | undefined;
  if (typeof v === 'number') d = new Date(v * 1000);
  else if (typeof v === 'string' && v !== '') d = new Date(v);
  if (d === undefined) return '—';
  if (Number.isNaN(d.getTime())) return String(v);
  return `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** The readable end of an ARN (`user/alice`, `key/1234…`); the whole ARN goes in a title. */
export function shortArn(arn: unknown): string {
  if (typeof arn !== 'string' || arn === '') return '—';
  const at = arn.indexOf(':', arn.indexOf(':', arn.indexOf(':', arn.indexOf(':', arn.indexOf(':') + 1) + 1) + 1) + 1);
  return at < 0 ? arn : arn.slice(at + 1);
}

/** The badge class of a severity: colour repeats the text, never replaces it. */
export function severityClass(severity: string): string {
  if (severity === 'critical' || severity === 'high') return 'badge badge-danger';
  if (severity === 'medium') return 'badge badge-warn';
  return 'badge';
}

/** The badge class of an approval request's status. */
export function approvalStatusClass(status: string): string {
  if (status === 'Approved' || status === 'Executed') return 'badge badge-ok';
  if (status === 'Pending') return 'badge badge-warn';
  return 'badge badge-danger';
}
