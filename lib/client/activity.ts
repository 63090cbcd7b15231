import type { ActivityState } from "../protocol";

/** No input for this long makes a person idle. */
export const IDLE_AFTER_MS = 60_000;

const INPUT_EVENTS = ["pointermove", "pointerdown", "keydown", "wheel", "touchstart"] as const;

/**
 * Watches this tab for input and visibility: away while hidden, idle after a minute without
 * input, active otherwise. Calls `onChange` on every change.
 */
export interface ActivityWatch {
  stop(): void;
  current(): ActivityState;
}

export type WatchActivity = (onChange: (state: ActivityState) => void) => ActivityWatch;

export function watchActivity(onChange: (state: ActivityState) => void, idleAfterMs = IDLE_AFTER_MS): ActivityWatch {
  let state: ActivityState = document.hidden ? "away" : "active";
  let lastInput = performance.now();

  const set = (next: ActivityState) => {
    if (next === state) return;
    state = next;
    onChange(state);
  };
  // Input events come by the hundred a second: they only stamp the time; a slow timer decides.
  const idleCheck = window.setInterval(() => {
    if (state === "active" && performance.now() - lastInput >= idleAfterMs) set("idle");
  }, Math.min(5_000, idleAfterMs / 4));
  const onInput = () => {
    lastInput = performance.now();
    if (!document.hidden) set("active");
  };
  const onVisibility = () => {
    if (document.hidden) set("away");
    else onInput();
  };

  for (const e of INPUT_EVENTS) window.addEventListener(e, onInput, { passive: true });
  document.addEventListener("visibilitychange", onVisibility);

  return {
    stop() {
      window.clearInterval(idleCheck);
      for (const e of INPUT_EVENTS) window.removeEventListener(e, onInput);
      document.removeEventListener("visibilitychange", onVisibility);
    },
    current: () => state,
  };
}
