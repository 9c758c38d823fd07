import { z } from 'zod';
import { defineOperation } from '../pipeline/operation.js';
import { breakerJson } from './alert.js';

/** `ArcaService.ListBreakers`: the circuit breakers in force on the node asked, oldest first. */
export const listBreakers = defineOperation({
  service: 'ArcaService',
  name: 'ListBreakers',
  description: 'Lists the circuit breakers in force on the node asked: what each blocks or throttles, why, and until when.',
  effect: 'read',
  uses: ['breakers'] as const,
  input: z.object({}),
  keys: {},
  async execute(_input, _ctx, deps) {
    return { Breakers: deps.breakers.list().map(breakerJson) };
  },
  auditRequest: () => ({}),
});
