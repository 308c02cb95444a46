import type { FromWebview, PanelState } from '../src/protocol/messages';

interface VsCodeApi {
  postMessage(message: FromWebview): void;
  getState(): PanelState | undefined;
  setState(state: PanelState): void;
}
declare const acquireVsCodeApi: (() => VsCodeApi) | undefined;

/** True in the self-contained HTML report (no VS Code around: no messages, the report is embedded). */
export const standalone = typeof acquireVsCodeApi !== 'function';

function standaloneApi(): VsCodeApi {
  const embedded = document.getElementById('oom-lens-report')?.textContent;
  let state: PanelState | undefined = embedded ? { report: JSON.parse(embedded), receivedAt: null } : undefined;
  return {
    postMessage: () => {},
    getState: () => state,
    setState: (s) => {
      state = s;
    },
  };
}

export const vscode: VsCodeApi = standalone ? standaloneApi() : acquireVsCodeApi!();
