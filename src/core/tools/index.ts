// Leak-tool runners: build the argv, run it on a Host, bring the report back, parse it.
export * from './types';
export { runLeakTool, prepareHost, fetchHostFile, ToolMissingError, ToolRunError, NotSanitizedError } from './runner';
export {
  commandLine,
  quoteArgv,
  valgrindArgv,
  lsanEnv,
  sanitizerCheckCommand,
  LSAN_BUILD_FLAGS,
  heaptrackArgv,
  heaptrackAttachArgv,
  heaptrackPrintArgv,
  heaptrackStopArgv,
  tracemallocArgv,
  nodeHeapArgv,
  javaHistogramCommand,
  showLeakKinds,
  checkExtraArgs,
  checkPid,
  missingToolsCommand,
  splitCommandLine,
  ToolArgError,
} from './argv';
export { detectRuntime, toolsForRuntime, toolExecutables, installHint, type Runtime, type ToolChoice } from './runtime';
export { candidatePaths, mapPath, expandVars, type PathMappings } from './pathMap';
export { renderLeakText, renderComparisonText, siteSummary, leakKindPhrase, frameText } from './render';
