// What `oom-lens alerts --format` writes. Its own file: the CLI's argument parser loads it at
// start-up, without the rule generator and the YAML library.
export const ALERT_FORMATS = ['prometheus', 'earlyoom', 'oomd'] as const;
export type AlertFormat = (typeof ALERT_FORMATS)[number];
