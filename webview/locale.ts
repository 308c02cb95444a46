// One time format for the whole panel, in VS Code's display language (the host side puts it on
// <body data-locale>; the standalone HTML report uses the browser's), 24 h, cut to the second.
import { localTimeFormatter } from '../src/core/format';

const locale = document.body.dataset.locale || navigator.language || undefined;

/** "07:18:22" */
export const clock = localTimeFormatter(locale);
/** "02/12/2026, 07:18:22" in the locale's own order. */
export const clockWithDate = localTimeFormatter(locale, true);
