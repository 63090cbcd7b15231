"use client";

import { useStore } from "zustand";
import { presenceStore } from "@/lib/client/presence-store";

/** Join and leave lines, newest last, announced politely to screen readers. */
export function Notices() {
  const notices = useStore(presenceStore, (s) => s.notices);
  return (
    <ul className="notices" aria-live="polite" data-testid="presence-notices">
      {notices.map((n) => (
        <li key={n.id} data-testid="presence-notice" data-kind={n.kind} data-name={n.user.name}>
          <span className="dot" style={{ backgroundColor: n.user.color }} aria-hidden />
          {n.user.name} {n.kind === "joined" ? "joined" : "left"}
        </li>
      ))}
    </ul>
  );
}
