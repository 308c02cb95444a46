// Commands, views and settings: the one typed source, checked against package.json by a unit test.
// (No 'vscode' import here, so tests can read it without VS Code.)

export const COMMANDS = {
  diagnose: { id: 'oomLens.diagnose', title: 'Diagnose OOM on Host…' },
  refresh: { id: 'oomLens.refresh', title: 'Refresh' },
  showPanel: { id: 'oomLens.showPanel', title: 'Show Panel' },
  showLog: { id: 'oomLens.showLog', title: 'Show Log' },
  openKernelLog: { id: 'oomLens.openKernelLog', title: 'Open Kernel Log…' },
} as const;

export const VIEW_CONTAINER = 'oomLens';
export const VIEWS = { hosts: 'oomLens.hosts' } as const;
export const PANEL_VIEW_TYPE = 'oomLens.panel';

export interface Settings {
  'oomLens.topProcesses': number;
  'oomLens.collect.smapsRollup': boolean;
  'oomLens.collect.timeoutSeconds': number;
}

export const SETTING_DEFAULTS: Settings = {
  'oomLens.topProcesses': 15,
  'oomLens.collect.smapsRollup': true,
  'oomLens.collect.timeoutSeconds': 60,
};
