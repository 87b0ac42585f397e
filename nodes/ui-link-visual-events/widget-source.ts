/**
 * Where Dashboard 2 finds this package's widget bundle. The dashboard learns third-party widgets from
 * the `node-red-dashboard-2` key of packages named `node-red-dashboard-2-*` only; this package has
 * another name, so the node hands the same entry to the dashboard when it registers.
 */
import fs from 'node:fs';
import path from 'node:path';

export const WIDGET_TYPE = 'ui-link-visual-events';

/** The dashboard's description of one third-party widget (nodes/utils getThirdPartyWidgets). */
export interface WidgetSource {
  readonly package: string;
  readonly name: string;
  readonly src: string;
  readonly path: string;
  readonly component: string;
}

interface PackageJson {
  name?: string;
  'node-red-dashboard-2'?: { widgets?: Record<string, { output?: string; component?: string }> };
}

/** The widget's entry as package.json declares it, found from this file upwards; undefined when not declared. */
export function widgetSource(from: string = __dirname): WidgetSource | undefined {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) {
      const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as PackageJson;
      const widget = pkg['node-red-dashboard-2']?.widgets?.[WIDGET_TYPE];
      if (pkg.name && widget?.output && widget.component) {
        return { package: pkg.name, name: WIDGET_TYPE, src: widget.output, path: dir, component: widget.component };
      }
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** Adds the widget to the dashboard's known widgets unless the dashboard found it itself. */
export function announceWidget(base: unknown, source: WidgetSource | undefined): void {
  const shared = (base as { uiShared?: { contribs?: Record<string, WidgetSource> } } | undefined)?.uiShared;
  if (!source || !shared || typeof shared.contribs !== 'object' || shared.contribs === null) return;
  shared.contribs[WIDGET_TYPE] ??= source;
}
