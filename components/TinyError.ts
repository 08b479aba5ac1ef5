/** TinyOS error codes (TinyError.h), so results read the same as in TinyOS. */
export type ErrorT = number;

export const SUCCESS = 0;
export const FAIL = 1;
export const ESIZE = 2;
export const ECANCEL = 3;
export const EOFF = 4;
export const EBUSY = 5;
export const EINVAL = 6;
export const ERETRY = 7;
export const ERESERVE = 8;
export const EALREADY = 9;
export const ENOMEM = 10;
export const ENOACK = 11;
export const ETIMEOUT = 12;

/** nesC's `ecombine`: the common result if both agree, else FAIL. */
export function ecombine(a: ErrorT, b: ErrorT): ErrorT {
  return a === b ? a : 1;
}

/** Combines booleans from a fan-out: true only if every callee said true. */
export function allTrue(a: boolean, b: boolean): boolean {
  return a && b;
}
