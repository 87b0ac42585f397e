// The dialogs' stylesheet, resources/link-visual-editor.css, served beside this bundle.
import { MODULE, hasRED } from './i18n';

// Resolved while the bundle runs: document.currentScript is only set then.
const STYLESHEET = ((): string => {
  const script = typeof document !== 'undefined' ? (document.currentScript as HTMLScriptElement | null) : null;
  if (script && script.src && /\.js(\?.*)?$/.test(script.src)) return script.src.replace(/\.js(\?.*)?$/, '.css');
  const root = hasRED() && RED.settings && RED.settings.apiRootUrl ? RED.settings.apiRootUrl : '';
  return root + 'resources/' + MODULE + '/link-visual-editor.css';
})();

/** Adds the stylesheet to the page once. */
export function injectStyles(): void {
  if (typeof document === 'undefined' || document.getElementById('link-visual-editor-css')) return;
  const link = document.createElement('link');
  link.id = 'link-visual-editor-css';
  link.rel = 'stylesheet';
  link.href = STYLESHEET;
  document.head.appendChild(link);
}
