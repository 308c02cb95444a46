// A process's memory map summarised by kind (the smaps drill-down): a row per heap, stack, library…

export type MappingKind = 'heap' | 'stack' | 'anon' | 'library' | 'binary' | 'file' | 'shmem' | 'kernel';

export interface BreakdownRow {
  kind: MappingKind;
  /** The library/file path for file-backed rows, else a label. */
  name: string;
  mappings: number;
  sizeKb: number;
  rssKb: number;
  pssKb: number | null;
  privateKb: number | null;
  swapKb: number | null;
}
