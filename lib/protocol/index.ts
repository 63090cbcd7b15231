export * from "./errors";
export * from "./events";
export * from "./limits";
export * from "./schemas";
export * from "./names";
export * from "./ops";
export * from "./preview-key";
export * from "./primitives";
