// OOM events from kernel logs and application/platform output: the contract of
// shared/contracts/oom-events.md. See reader.ts for the streaming pipeline.

export { OomEventReader, parseOomEvents, readOomEventsFromStream, readOomEventsFromFile, MAX_LINE_BYTES, type OomEventsSource } from './reader';
