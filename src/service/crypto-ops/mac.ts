import { z } from 'zod';
import { MAC_ALGORITHMS } from '../../core/key-capabilities.js';

/** The shared input pieces of GenerateMac and VerifyMac. */
export const macAlgorithm = z.enum(MAC_ALGORITHMS);
