import type { z } from "zod";

/** The two types accept the same values (neither has a field or a case the other lacks). */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

/**
 * Ties a documented response schema to the type the code answers with: `fitsShape<JobView>()(schema)`
 * stops typechecking when the two drift apart, so the reference cannot go stale silently.
 */
export function fitsShape<T>() {
  return <S extends z.ZodType>(schema: S, ..._check: Same<T, z.output<S>> extends true ? [] : [mismatch: { documented: z.output<S>; answered: T }]): S => schema;
}
