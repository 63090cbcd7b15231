/** The smallest values of the protocol, which its messages, ops and schemas all build on. */

/** A colour as it travels: lowercase `#rrggbb`. */
export type Color = string;

/** active: input in the last minute; idle: none for a minute; away: no tab of theirs is visible. */
export const ACTIVITY_STATES = ["active", "idle", "away"] as const;
export type ActivityState = (typeof ACTIVITY_STATES)[number];

export const TOOLS = ["pen"] as const;
export type Tool = (typeof TOOLS)[number];
