"use client";

import { useEffect } from "react";
import { trackConnection } from "./connection";
import { getSocket } from "./socket";

/** Connects the tab's socket while the calling component is mounted, and tracks its health. */
export function useConnection(): void {
  useEffect(() => trackConnection(getSocket()), []);
}
