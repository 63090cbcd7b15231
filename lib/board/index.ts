export * from "./board";
export * from "./chat";
export * from "./colors";
export * from "./geometry";
export * from "./history";
export * from "./roster";
export * from "./access";
export * from "./timeline";
