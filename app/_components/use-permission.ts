"use client";

import { useStore } from "zustand";
import { whyNot } from "@/lib/client/access-store";
import { effectiveRole, type Action, type Role } from "@/lib/protocol";
import { useBoardState } from "./BoardStateProvider";

/** Why this person may not do `action` now (the server's own words, for a tooltip), or undefined. */
export function useWhyNot(action: Action): string | undefined {
  const { presence, access } = useBoardState();
  const role = useStore(presence, (s) => s.self?.role);
  const settings = useStore(access, (s) => s.settings);
  return whyNot(role, settings, action);
}

/** This person's role as it applies now (a lock makes editors viewers). */
export function useRole(): Role | undefined {
  const { presence, access } = useBoardState();
  const role = useStore(presence, (s) => s.self?.role);
  const settings = useStore(access, (s) => s.settings);
  return role && effectiveRole(role, settings);
}
