export * from "./api";
export * from "./closeCodes";
export * from "./labels";
export * from "./layer";
export * from "./offsets";
export * from "./permissions";
export * from "./rooms";
export * from "./tokenize";
