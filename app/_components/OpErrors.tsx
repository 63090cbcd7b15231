"use client";

import { useEffect, useState } from "react";
import { useStore } from "zustand";
import { useBoardState } from "./BoardStateProvider";

const SHOW_MS = 6_000;

/** Tells the person when the server refused one of their changes (the board is full, say). */
export function OpErrors() {
  const error = useStore(useBoardState().session, (s) => s.opError);
  const [visible, setVisible] = useState(false);
  useEffect(() => {
    if (!error) return;
    setVisible(true);
    const timer = window.setTimeout(() => setVisible(false), SHOW_MS);
    return () => window.clearTimeout(timer);
  }, [error]);
  if (!error || !visible) return null;
  return (
    <p className="toast" role="alert" data-testid="op-error">
      {error.message}
    </p>
  );
}
