import type { Principal } from './principal.js';

/**
 * Service principals (ADR 0021): an Arca principal of type `service` whose name is a lower-case DNS name
 * of two labels or more (`logs.amazonaws.com`, `backup.arca.internal`) is the service principal of that
 * name. Grants name it with `GranteeServicePrincipal`/`RetiringServicePrincipal`, and it alone may say
 * which resource a request is made for (`aws:SourceArn`).
 */

const LABEL = '[a-z0-9](?:[a-z0-9-]*[a-z0-9])?';
const SERVICE_PRINCIPAL_NAME_RE = new RegExp(`^${LABEL}(?:\\.${LABEL})+$`);

/** Whether `name` has the form of a service principal's name (a lower-case DNS name with a dot). */
export function isServicePrincipalName(name: string): boolean {
  return name.length <= 64 && SERVICE_PRINCIPAL_NAME_RE.test(name);
}

/** The service principal `principal` is, or undefined for users, roles and service accounts of another name form. */
export function servicePrincipalOf(principal: Pick<Principal, 'type' | 'name'>): string | undefined {
  return principal.type === 'service' && isServicePrincipalName(principal.name) ? principal.name : undefined;
}
