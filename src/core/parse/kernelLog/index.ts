// OOM events from kernel logs and application/platform output: the contract of
// shared/contracts/oom-events.md. See reader.ts for the streaming pipeline.

export { OomEventReader, parseOomEvents, readOomEventsFromStream, MAX_LINE_BYTES, type OomEventsSource } from './reader';
export { INBOX_BYTES } from './anchorScanner';
