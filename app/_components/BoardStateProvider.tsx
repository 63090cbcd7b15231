"use client";

import { createContext, useContext, type ReactNode } from "react";
import type { BoardState } from "@/lib/client/board-state";

const BoardStateContext = createContext<BoardState | null>(null);

/** Hands the board session's stores to the components of a joined board. */
export function BoardStateProvider({ state, children }: { state: BoardState; children: ReactNode }) {
  return <BoardStateContext.Provider value={state}>{children}</BoardStateContext.Provider>;
}

export function useBoardState(): BoardState {
  const state = useContext(BoardStateContext);
  if (!state) throw new Error("useBoardState is for components inside a BoardStateProvider.");
  return state;
}
