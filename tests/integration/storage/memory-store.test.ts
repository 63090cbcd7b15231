import { describeBoardStore } from "./board-store.contract";

// Keeps nothing on disk: the settings only pick the store.
describeBoardStore("memory", {
  durable: false,
  place: () => ({ storage: "memory", dataDir: "", sqliteSynchronous: "normal" }),
});
