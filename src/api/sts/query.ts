import { z } from 'zod';
import { KmsError } from '../../core/errors.js';
import { parseAwsInput } from '../aws/input.js';

/**
 * AWS Query protocol input (STS): a form-encoded body of `Action`, `Version` and the members, lists as
 * `Name.member.N` (1-based) and structures as `Name.Member` (`Tags.member.1.Key=team`). Decoded here
 * into the shape the operation's schema reads; numbers are decoded where the schema declares one.
 */

/** The most list entries a request may name (`.member.N` up to this). */
const MAX_LIST_INDEX = 1000;
/** The most parameters a request may carry. */
const MAX_PARAMS = 500;

const bad = (message: string) => new KmsError('SerializationFailed', message);

/** The form body's parameters in order, each name once (a repeated name is refused). */
export function formParams(body: Buffer): Map<string, string> {
  const params = new Map<string, string>();
  for (const [k, v] of new URLSearchParams(body.toString('utf8'))) {
    if (params.has(k)) throw bad(`The parameter ${k.slice(0, 64)} appears more than once.`);
    params.set(k, v);
    if (params.size > MAX_PARAMS) throw bad('The request has too many parameters.');
  }
  return params;
}

function isUnsafe(segment: string): boolean {
  return segment === '__proto__' || segment === 'constructor' || segment === 'prototype';
}

/** The path of a parameter name: member names, and 0-based list indexes for `member.N`. */
function pathOf(name: string): (string | number)[] {
  const segments = name.split('.');
  const path: (string | number)[] = [];
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i] ?? '';
    if (seg === 'member' && i > 0) {
      const n = Number(segments[i + 1]);
      if (!Number.isInteger(n) || n < 1 || n > MAX_LIST_INDEX) throw bad(`The list index in ${name.slice(0, 64)} is not valid.`);
      path.push(n - 1);
      i++;
    } else {
      if (seg === '' || isUnsafe(seg)) throw bad(`The parameter name ${name.slice(0, 64)} is not valid.`);
      path.push(seg);
    }
  }
  return path;
}

/** Sets `value` at `path` under `root`, creating structures and lists on the way. */
function place(root: object, path: readonly (string | number)[], value: string, name: string): void {
  let node: object = root;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i] ?? '';
    const listNext = typeof path[i + 1] === 'number';
    let child: unknown = Reflect.get(node, key);
    if (child === undefined) {
      child = listNext ? [] : Object.create(null);
      Reflect.set(node, key, child);
    }
    if (typeof child !== 'object' || child === null || Array.isArray(child) !== listNext) throw bad(`The parameter ${name.slice(0, 64)} conflicts with another.`);
    node = child;
  }
  const last = path[path.length - 1] ?? '';
  if (Reflect.get(node, last) !== undefined) throw bad(`The parameter ${name.slice(0, 64)} is given twice.`);
  Reflect.set(node, last, value);
}

/** A list with a hole (`member.1` and `member.3` only) is malformed. */
function checkDense(v: unknown): void {
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      if (!(i in v)) throw bad('A list parameter skips an index.');
      checkDense(v[i]);
    }
  } else if (typeof v === 'object' && v !== null) for (const x of Object.values(v)) checkDense(x);
}

/** The member schema under optional wrappers. */
function unwrapped(member: z.ZodType): z.ZodType {
  return member instanceof z.ZodOptional ? unwrapped(member.unwrap() as z.ZodType) : member;
}

/**
 * The operation input as the schema reads it: members from the Query parameters (without `Action` and
 * `Version`), integers decoded where the schema declares a number, an empty `Name=` list as `[]`.
 */
export function queryInput(schema: z.ZodType, params: ReadonlyMap<string, string>): Record<string, unknown> {
  const shape: Record<string, z.ZodType> = schema instanceof z.ZodObject ? (schema.shape as Record<string, z.ZodType>) : {};
  const root: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const [name, value] of params) {
    if (name === 'Action' || name === 'Version') continue;
    const member = shape[name];
    if (member !== undefined && value === '' && unwrapped(member) instanceof z.ZodArray) {
      root[name] = [];
      continue;
    }
    place(root, pathOf(name), value, name);
  }
  checkDense(root);
  for (const [name, member] of Object.entries(shape)) {
    const v = root[name];
    if (typeof v === 'string' && unwrapped(member) instanceof z.ZodNumber && /^-?\d{1,15}$/.test(v)) root[name] = Number(v);
  }
  return { ...root };
}

/** Validates a Query request's members against an operation's input schema (a ZodError or KmsError on failure). */
export function parseQueryInput<T>(schema: z.ZodType<T>, params: ReadonlyMap<string, string>): T {
  return parseAwsInput(schema, queryInput(schema, params));
}
