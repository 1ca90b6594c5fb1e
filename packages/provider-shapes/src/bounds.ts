/**
 * How much of a body both walks read (`structureKey` for the fingerprint, `shapeOf` for the paths). They must
 * read exactly the same values in the same order, or a fingerprint would ignore what the paths record.
 */

/** Array elements read: a list endpoint's 100 items share their shape. */
export const MAX_ARRAY_ELEMENTS = 10;
/** Deeper levels are not part of the shape: no provider payload we map nests further. */
export const MAX_DEPTH = 16;
/** An enum value longer than this is not an enum: it is kept out of the shape. */
export const MAX_ENUM_VALUE_LENGTH = 100;
/**
 * An object with more members is a map (ids as keys), read like an array: `$.a.*` for any member, the
 * first MAX_ARRAY_ELEMENTS values. A declaration can say so of smaller maps (`maps`).
 */
export const MAX_MEMBERS = 200;
/** Values visited per body, all levels together: a hostile body costs a bounded walk and a bounded shape. */
export const MAX_VALUES = 2_000;
