/**
 * The format of the records the store holds today. Format 1: records without `formatVersion`
 * (written before formats were recorded). Format 2: every definition and run record carries it.
 * A change to what is stored raises it and comes with a migration (`engine.migrations`) and a
 * fixture database written by the version before (test/store/fixtures).
 */
export const FORMAT_VERSION = 2
