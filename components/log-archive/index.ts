export * from "./args";
export * from "./policies";
export * from "./spec";
export { LogArchiveArgsError, settleLogArchiveSettings } from "./validation";
export { LogArchive, ARCHIVE_TABLE } from "./component";
