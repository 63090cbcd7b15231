import { createStore } from "zustand/vanilla";
import { STROKE_WIDTHS, type Color } from "../protocol";

export type ToolName = "pen" | "eraser" | "laser";

export interface ToolStore {
  tool: ToolName;
  color: Color;
  width: number;
}

/** Tab-wide, not per board: the pen a person picked stays in their hand from one board to the next. */
export const toolStore = createStore<ToolStore>(() => ({ tool: "pen", color: "#1f2937", width: STROKE_WIDTHS[1] }));
