/**
 * What the tests of the Dashboard 2 widget share: example 13 pointed at an emulator (the flow and its
 * credentials), the emulator's control API, Chromium, and reading the widget's cards in a page.
 * Used by test/browser/dashboard.test.ts (this checkout linked) and test/package/palette.test.ts (the packed
 * tarball and Dashboard 2 installed from the palette).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { type Browser, type Page, chromium } from 'playwright-core';
import type { EmulatorHandle } from '../../lib';

const root = path.resolve(__dirname, '..', '..');

/** Debian's Chromium, or $CHROMIUM_PATH. */
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** How long one step of a page waits by default. */
export const STEP_MS = 20_000;

type FlowNode = Record<string, unknown> & { id: string; type: string };

// Just what the tests read of the page's DOM (the test code is type-checked without the DOM library).
export interface Img {
  complete: boolean;
  naturalWidth: number;
}
export interface Vid {
  readyState: number;
  currentTime: number;
  paused: boolean;
  videoWidth: number;
  duration: number;
  error: { message: string } | null;
}
export interface PageGlobals {
  document: {
    querySelector(selector: string): unknown;
    querySelectorAll(selector: string): ArrayLike<unknown>;
    documentElement: { scrollWidth: number; clientWidth: number };
  };
}

/** Example 13 (on-event → the widget) pointed at the emulator, polling every second; its credentials apart. */
export function exampleDashboardFlow(emulator: EmulatorHandle): { flow: FlowNode[]; credentials: Record<string, Record<string, string>> } {
  const file = path.join(root, 'examples', '13-dashboard-event-timeline.json');
  const flow = (JSON.parse(fs.readFileSync(file, 'utf8')) as FlowNode[]).map((node) => {
    if (node.type === 'link-visual-config') return { ...node, endpoint: emulator.url, rateLimit: '50' };
    if (node.type === 'link-visual-on-event') return { ...node, interval: '1', startup: 'new' };
    return node;
  });
  const account = flow.find((node) => node.type === 'link-visual-config');
  assert.ok(account, 'example 13 has an account');
  const credentials = { [account.id]: { appKey: emulator.appKey, appSecret: emulator.appSecret, identityId: emulator.identityId, refreshToken: emulator.refreshToken } };
  return { flow, credentials };
}

/** Writes example 13 as `<userDir>/flows.json` and its plain credentials (settings with credentialSecret: false). */
export function writeDashboardFlow(userDir: string, emulator: EmulatorHandle): void {
  const { flow, credentials } = exampleDashboardFlow(emulator);
  fs.writeFileSync(path.join(userDir, 'flows.json'), JSON.stringify(flow, null, 2));
  fs.writeFileSync(path.join(userDir, 'flows_cred.json'), JSON.stringify(credentials, null, 2));
}

/** The dashboard page example 13 puts the widget on. */
export const DASHBOARD_PAGE = '/dashboard/cameras';

/** POSTs to the emulator's control API; fails the test on anything but 200. */
export async function control(emulator: EmulatorHandle, route: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${emulator.url}/_emulator/${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const answer = (await response.json()) as Record<string, unknown>;
  assert.equal(response.status, 200, `${route}: ${JSON.stringify(answer)}`);
  return answer;
}

/** Chromium, headless, allowed to autoplay; the caller skips (or fails in CI) when it is missing. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--autoplay-policy=no-user-gesture-required'],
  });
}

/** The cards shown: their camera, type and whether the thumbnail has loaded (naturalWidth > 0). */
export async function cardsOf(page: Page): Promise<{ key: string; camera: string; type: string; time: string; loaded: boolean }[]> {
  return page.$$eval('.lv-card', (cards) =>
    cards.map((card) => {
      const img = card.querySelector('img.lv-thumb') as Img | null;
      return {
        key: card.getAttribute('data-key') ?? '',
        camera: card.querySelector('.lv-camera')?.textContent?.trim() ?? '',
        type: card.querySelector('.lv-type')?.textContent?.trim() ?? '',
        time: card.querySelector('.lv-time')?.textContent?.trim() ?? '',
        loaded: !!img && img.complete && img.naturalWidth > 0,
      };
    }),
  );
}

/** Waits until at least `count` cards show, each with its thumbnail decoded. */
export async function waitForCards(page: Page, count: number, timeout = STEP_MS): Promise<void> {
  await page.waitForFunction(
    (n) => {
      const imgs = Array.from((globalThis as unknown as PageGlobals).document.querySelectorAll('.lv-card img.lv-thumb')) as Img[];
      return imgs.length >= n && imgs.every((img) => img.complete && img.naturalWidth > 0);
    },
    count,
    { timeout },
  );
}

/** Waits until the video at `selector` has data (readyState ≥ 2) and its time advances: the clip plays. */
export async function waitForPlaying(page: Page, selector: string, timeout = 40_000): Promise<void> {
  await page.waitForFunction((css) => (((globalThis as unknown as PageGlobals).document.querySelector(css) as Vid | null)?.readyState ?? 0) >= 2, selector, { timeout });
  const first = await page.$eval(selector, (v) => (v as Vid).currentTime);
  await page.waitForFunction(
    ([css, t0]) => {
      const video = (globalThis as unknown as PageGlobals).document.querySelector(css as string) as Vid;
      return video.currentTime !== t0 && !video.paused;
    },
    [selector, first] as const,
    { timeout: STEP_MS },
  );
}
