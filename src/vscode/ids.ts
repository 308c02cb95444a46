// Commands, views and settings: the one typed source, checked against package.json by a unit test.
// (No 'vscode' import here, so tests can read it without VS Code.)

export const COMMANDS = {
  diagnose: { id: 'oomLens.diagnose', title: 'Diagnose OOM on Host…' },
  refresh: { id: 'oomLens.refresh', title: 'Refresh' },
  showPanel: { id: 'oomLens.showPanel', title: 'Show Panel' },
  showLog: { id: 'oomLens.showLog', title: 'Show Log' },
  openKernelLog: { id: 'oomLens.openKernelLog', title: 'Open Kernel Log…' },
  startSampling: { id: 'oomLens.startSampling', title: 'Start Sampling' },
  stopSampling: { id: 'oomLens.stopSampling', title: 'Stop Sampling' },
  exportReport: { id: 'oomLens.exportReport', title: 'Export Report…' },
  // leak hunting beside the code (src/vscode/leaks)
  runValgrind: { id: 'oomLens.runValgrind', title: 'Run with Valgrind Memcheck…' },
  runHeaptrack: { id: 'oomLens.runHeaptrack', title: 'Run with heaptrack…' },
  runLsan: { id: 'oomLens.runLsan', title: 'Run with LeakSanitizer…' },
  attachHeaptrack: { id: 'oomLens.attachHeaptrack', title: 'Attach heaptrack to Process…' },
  runTracemalloc: { id: 'oomLens.runTracemalloc', title: 'Run Python Script with tracemalloc…' },
  captureNodeHeap: { id: 'oomLens.captureNodeHeap', title: 'Capture Node Heap Profile…' },
  javaHistogram: { id: 'oomLens.javaHistogram', title: 'Java Class Histogram…' },
  findLeaksInProcess: { id: 'oomLens.findLeaksInProcess', title: 'Find Leaks in Process…' },
  openLeakReport: { id: 'oomLens.openLeakReport', title: 'Open Leak Report…' },
  compareLeakReports: { id: 'oomLens.compareLeakReports', title: 'Compare Leak Reports…' },
  clearLeakReports: { id: 'oomLens.clearLeakReports', title: 'Clear Leak Reports' },
  // acting on the diagnosis (src/vscode/actions)
  killProcess: { id: 'oomLens.killProcess', title: 'Kill Process…' },
  fixFinding: { id: 'oomLens.fixFinding', title: 'Fix…' },
  undoAction: { id: 'oomLens.undoAction', title: 'Undo' },
  // the watch that tells you first (src/vscode/watchHosts.ts)
  watchHost: { id: 'oomLens.watchHost', title: 'Watch Host…' },
  stopWatching: { id: 'oomLens.stopWatching', title: 'Stop Watching' },
  // prevention: alert rules with the findings' thresholds (src/vscode/alertsCommand.ts)
  generateAlertRules: { id: 'oomLens.generateAlertRules', title: 'Generate Alert Rules…' },
  // many hosts from Prometheus (src/vscode/fleet)
  fleetRefresh: { id: 'oomLens.fleet.refresh', title: 'Refresh Fleet' },
  fleetOpenHost: { id: 'oomLens.fleet.openHost', title: 'Open Fleet Host Timeline…' },
  fleetDiagnoseHost: { id: 'oomLens.fleet.diagnoseHost', title: 'Diagnose over SSH' },
  fleetSetCredentials: { id: 'oomLens.fleet.setCredentials', title: 'Set Prometheus Credentials…' },
} as const;

/** Commands the extension registers for its own views and for tests (not in the palette, not in package.json). */
export const INTERNAL_COMMANDS = {
  inspectLeaks: 'oomLens.leaks.inspect',
  openLeakFrame: 'oomLens.leaks.openFrame',
  revealLeakSite: 'oomLens.leaks.revealSite',
} as const;

export const VIEW_CONTAINER = 'oomLens';
export const VIEWS = { hosts: 'oomLens.hosts', leaks: 'oomLens.leaks', actions: 'oomLens.actions', fleet: 'oomLens.fleet' } as const;
export const PANEL_VIEW_TYPE = 'oomLens.panel';

export interface Settings {
  'oomLens.topProcesses': number;
  'oomLens.collect.smapsRollup': boolean;
  'oomLens.collect.timeoutSeconds': number;
  'oomLens.maxOutputMiB': number;
  'oomLens.sampling.autoStart': boolean;
  'oomLens.ssh.configFile': string;
  'oomLens.ssh.useSudo': boolean;
  'oomLens.sampling.intervalSeconds': number;
  'oomLens.leaks.valgrind.showLeakKinds': string;
  'oomLens.leaks.valgrind.extraArgs': string[];
  'oomLens.leaks.tracemalloc.frames': number;
  'oomLens.leaks.intervalSeconds': number;
  'oomLens.leaks.node.samplingIntervalBytes': number;
  'oomLens.leaks.codeLens': boolean;
  'oomLens.pathMappings': Record<string, string>;
  'oomLens.readOnly': boolean;
  'oomLens.watch.intervalSeconds': number;
  'oomLens.fleet.prometheusUrl': string;
  'oomLens.fleet.window': string;
  'oomLens.fleet.kubeContext': string;
  'oomLens.fleet.sshMapping': Record<string, string>;
  'oomLens.fleet.caFile': string;
  'oomLens.fleet.evaluateAt': string;
}

export const SETTING_DEFAULTS: Settings = {
  'oomLens.topProcesses': 15,
  'oomLens.collect.smapsRollup': true,
  'oomLens.collect.timeoutSeconds': 60,
  'oomLens.maxOutputMiB': 256,
  'oomLens.sampling.autoStart': true,
  'oomLens.ssh.configFile': '',
  'oomLens.ssh.useSudo': false,
  'oomLens.sampling.intervalSeconds': 1,
  'oomLens.leaks.valgrind.showLeakKinds': 'definite,indirect,possible',
  'oomLens.leaks.valgrind.extraArgs': [],
  'oomLens.leaks.tracemalloc.frames': 25,
  'oomLens.leaks.intervalSeconds': 10,
  'oomLens.leaks.node.samplingIntervalBytes': 32768,
  'oomLens.leaks.codeLens': true,
  'oomLens.pathMappings': {},
  'oomLens.readOnly': false,
  'oomLens.watch.intervalSeconds': 5,
  'oomLens.fleet.prometheusUrl': '',
  'oomLens.fleet.window': '24h',
  'oomLens.fleet.kubeContext': '',
  'oomLens.fleet.sshMapping': {},
  'oomLens.fleet.caFile': '',
  'oomLens.fleet.evaluateAt': '',
};
