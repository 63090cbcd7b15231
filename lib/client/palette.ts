import type { Color } from "../protocol";

/** The circle's swatches, each with a name for screen readers and tooltips. */
export const CIRCLE_PALETTE: readonly { color: Color; name: string }[] = [
  { color: "#ef4444", name: "Red" },
  { color: "#f97316", name: "Orange" },
  { color: "#eab308", name: "Yellow" },
  { color: "#22c55e", name: "Green" },
  { color: "#14b8a6", name: "Teal" },
  { color: "#3b82f6", name: "Blue" },
  { color: "#6366f1", name: "Indigo" },
  { color: "#a855f7", name: "Purple" },
  { color: "#ec4899", name: "Pink" },
  { color: "#1f2937", name: "Charcoal" },
];

/** The pen's swatches; any other colour comes from the custom colour picker. */
export const PEN_PALETTE: readonly { color: Color; name: string }[] = [
  { color: "#1f2937", name: "Ink" },
  { color: "#ef4444", name: "Red" },
  { color: "#f97316", name: "Orange" },
  { color: "#eab308", name: "Yellow" },
  { color: "#22c55e", name: "Green" },
  { color: "#3b82f6", name: "Blue" },
  { color: "#a855f7", name: "Purple" },
  { color: "#ec4899", name: "Pink" },
];
