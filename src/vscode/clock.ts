import * as vscode from 'vscode';
import { localTimeFormatter } from '../core/format';

/** Times in the views, in VS Code's display language (the one format of the panel too). */
export const clock = localTimeFormatter(vscode.env.language);
