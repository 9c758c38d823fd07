import { describe, expect, it } from 'vitest';
import { ApiError, heldApprovalId } from '../src/api/client';

describe('heldApprovalId', () => {
  it('reads the approval id of an ApprovalRequiredException', () => {
    const id = `apr-${'0123456789abcdef'.repeat(2)}`;
    expect(heldApprovalId(new ApiError('ApprovalRequiredException', `The request is held for approval: ${id}.`, 400))).toBe(id);
  });
  it('answers undefined for any other error', () => {
    expect(heldApprovalId(new ApiError('AccessDeniedException', 'apr-0123456789abcdef0123456789abcdef', 400))).toBeUndefined();
    expect(heldApprovalId(new Error('x'))).toBeUndefined();
  });
});
