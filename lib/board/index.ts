export * from "./board";
export * from "./colors";
export * from "./roster";
