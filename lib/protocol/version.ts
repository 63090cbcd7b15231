/**
 * The version of the wire contract this build speaks. A tab sends it with every `board:join`; the
 * server refuses a join from any other version with VERSION_MISMATCH, so that a tab left open
 * across a deploy is told to reload instead of sending what the new server misreads. Bump it with
 * any change to events or payloads that a tab of the previous build would get wrong. Tabs of
 * builds from before versions send none: they count as version 0.
 */
export const PROTOCOL_VERSION = 2;
