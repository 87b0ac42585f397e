// The Dashboard 2 widget ui-link-visual-events in a real browser: playwright-core driving Debian's Chromium
// against a real Node-RED (a temporary user directory with this checkout and @flowfuse/node-red-dashboard
// linked into its node_modules) running example 13 against the emulator, started in this process.
// Runs after `npm run build` (it loads dist/ and resources/ui-link-visual-events.umd.js).
//
// The tests build on each other as a user's visit would: events raised through the emulator's control API
// appear as cards with their pictures, the filters narrow them, a card opens and its clip plays, and the
// page fits a phone. Last, the emulator answers playback URLs as HLS playlists and a clip plays with hls.js. Screenshots: test-output/browser/dashboard/*.png (git-ignored), Node-RED's log beside them.
// No Chromium at /usr/bin/chromium (or $CHROMIUM_PATH): skipped with a warning, except with CI=true.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { EmulatorHandle } from '../../lib';
import { timelineKey } from '../../lib/events/event-timeline';
import { CHROMIUM, DASHBOARD_PAGE, STEP_MS, type Img, type PageGlobals, type Vid, cardsOf, control, launchChromium, waitForCards, waitForPlaying, writeDashboardFlow } from '../helpers/dashboard-page';
import { type NodeRed, startNodeRed, stopNodeRed, writeSettings } from '../helpers/red-process';

const root = path.resolve(__dirname, '..', '..');
const ARTEFACTS = path.join(root, 'test-output', 'browser', 'dashboard');
const DASHBOARD = path.dirname(require.resolve('@flowfuse/node-red-dashboard/package.json'));

/** This checkout and Dashboard 2 linked into the user directory's node_modules, and example 13 as its flow. */
function writeUserDir(userDir: string, emulator: EmulatorHandle): void {
  const modules = path.join(userDir, 'node_modules');
  fs.mkdirSync(path.join(modules, '@flowfuse'), { recursive: true });
  fs.symlinkSync(root, path.join(modules, 'node-red-contrib-link-visual'), 'dir');
  fs.symlinkSync(DASHBOARD, path.join(modules, '@flowfuse', 'node-red-dashboard'), 'dir');
  writeDashboardFlow(userDir, emulator);
  writeSettings(userDir);
}

/** Whether the page scrolls sideways (the document wider than the viewport). */
async function scrollsSideways(page: Page): Promise<{ scrollWidth: number; clientWidth: number }> {
  return page.evaluate(() => ({ scrollWidth: (globalThis as unknown as PageGlobals).document.documentElement.scrollWidth, clientWidth: (globalThis as unknown as PageGlobals).document.documentElement.clientWidth }));
}

describe('dashboard widget ui-link-visual-events in a real browser (Chromium, Node-RED, Dashboard 2, emulator)', function () {
  this.timeout(90_000);

  let emulator: EmulatorHandle;
  let userDir = '';
  let red: NodeRed | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let page: Page;
  const problems: string[] = [];
  const requested: string[] = [];
  let dashboardUrl = '';

  before(async function () {
    this.timeout(120_000);
    if (!fs.existsSync(CHROMIUM)) {
      if (process.env.CI === 'true') throw new Error(`${CHROMIUM} is missing: CI must install Debian's chromium (.ci/run does)`);
      console.warn(`\n  !! SKIPPING the dashboard browser tests: no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH).\n`);
      this.skip();
    }
    assert.ok(fs.existsSync(path.join(root, 'resources', 'ui-link-visual-events.umd.js')), 'the widget bundle is missing: run `npm run build` first');
    fs.mkdirSync(ARTEFACTS, { recursive: true });
    for (const file of fs.readdirSync(ARTEFACTS)) if (/\.(png|log)$/.test(file)) fs.rmSync(path.join(ARTEFACTS, file));

    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const lib = require(path.join(root, 'dist', 'lib')) as typeof import('../../lib');
    emulator = await lib.startEmulator({ port: 0, cameras: 2, transcodeMs: 200 });
    // Event-triggered recordings on both cameras, 2 s long: their events get clips.
    const client = new lib.LinkVisualClient({ endpoint: emulator.url, appKey: emulator.appKey, appSecret: emulator.appSecret, auth: { mode: 'session', identityId: emulator.identityId, refreshToken: emulator.refreshToken } });
    const { planId } = (await client.call('setEventPlan', { name: 'clips', allDay: 1, eventTypeList: [1, 2, 3], recordDuration: 2, preRecordDuration: 0 })) as { planId: string };
    for (const iotId of ['demo-camera-1', 'demo-camera-2']) await client.call('bindEventPlan', { iotId, planId });
    // An event from before Node-RED starts: the widget loads it itself (event/query) at start.
    await control(emulator, 'events', { iotId: 'demo-camera-2', eventType: 1, picture: true, recording: true, eventTime: Date.now() - 5 * 60_000 });
    await client.close();

    userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lv-dashboard-'));
    writeUserDir(userDir, emulator);
    red = await startNodeRed(userDir);
    dashboardUrl = `${red.url}${DASHBOARD_PAGE}`;

    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'en-US', timezoneId: 'Asia/Shanghai' });
    page = await context.newPage();
    page.setDefaultTimeout(STEP_MS);
    page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    page.on('request', (request) => requested.push(request.url()));
  });

  after(async function () {
    this.timeout(60_000);
    await context?.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await stopNodeRed(red);
    if (red) fs.writeFileSync(path.join(ARTEFACTS, 'node-red.log'), red.log.join('\n'));
    await emulator?.close();
    if (userDir) fs.rmSync(userDir, { recursive: true, force: true });
  });

  it('shows the widget on its dashboard page with the event from before the start, the bundle served from the package', async () => {
    await page.goto(dashboardUrl);
    await page.locator('.lv-timeline').waitFor({ timeout: 30_000 });
    await waitForCards(page, 1);
    assert.deepEqual((await cardsOf(page)).map((card) => [card.camera, card.type]), [['Demo camera 2', 'Motion']]);
    assert.ok(requested.some((url) => url.endsWith('/resources/node-red-contrib-link-visual/ui-link-visual-events.umd.js')), 'the widget came from the package resources');
  });

  it('shows events raised on the cameras as cards, newest first, with their pictures loaded', async () => {
    const now = Date.now();
    await control(emulator, 'events', { iotId: 'demo-camera-1', eventType: 1, picture: true, recording: true, eventTime: now - 3000 });
    await control(emulator, 'events', { iotId: 'demo-camera-2', eventType: 3, picture: true, recording: true, eventTime: now - 2000 });
    await control(emulator, 'events', { iotId: 'demo-camera-1', eventType: 2, picture: true, recording: true, eventTime: now - 1000 });
    await waitForCards(page, 4);
    const cards = await cardsOf(page);
    assert.equal(cards.length, 4);
    assert.deepEqual(cards.map((card) => card.type), ['Sound', 'Person', 'Motion', 'Motion'], 'newest first');
    assert.ok(cards.every((card) => card.loaded), 'every thumbnail decoded (naturalWidth > 0)');
    assert.ok(cards.every((card) => card.camera !== '' && card.time !== ''));
    // The time in the viewer's zone (the context is in Asia/Shanghai, UTC+8).
    const expected = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeStyle: 'medium', timeZone: 'Asia/Shanghai' }).format(new Date(Math.floor((now - 1000) / 1000) * 1000));
    assert.equal(cards[0].time, expected);
    // The browser talked to Node-RED only: no signed cloud URL, no credential reached the page.
    assert.deepEqual(requested.filter((url) => url.startsWith(emulator.url)), []);
    const html = await page.content();
    for (const secret of [emulator.appSecret, emulator.refreshToken, emulator.appKey]) assert.equal(html.includes(secret), false);
    await page.screenshot({ path: path.join(ARTEFACTS, 'timeline-desktop.png'), fullPage: true });
  });

  it('adds a new event live, and the filters narrow the cards by camera and by type', async () => {
    await control(emulator, 'events', { iotId: 'demo-camera-2', eventType: 1, picture: true, recording: true, eventTime: Date.now() });
    await waitForCards(page, 5);
    const [cameraSelect, typeSelect] = [page.locator('.lv-filters select').nth(0), page.locator('.lv-filters select').nth(1)];
    const cameraValues = await cameraSelect.locator('option').evaluateAll((options) => options.map((o) => (o as unknown as { value: string }).value));
    assert.deepEqual(cameraValues.slice(1).sort(), ['demo-camera-1', 'demo-camera-2']);
    await cameraSelect.selectOption('demo-camera-2');
    assert.equal((await cardsOf(page)).length, 3);
    await typeSelect.selectOption('sound');
    assert.deepEqual((await cardsOf(page)).map((card) => card.type), [], 'camera 2 made no sound');
    await typeSelect.selectOption('motion');
    assert.deepEqual((await cardsOf(page)).map((card) => card.camera), ['Demo camera 2', 'Demo camera 2']);
    await page.screenshot({ path: path.join(ARTEFACTS, 'timeline-filtered.png'), fullPage: true });
    await cameraSelect.selectOption('');
    await typeSelect.selectOption('');
    assert.equal((await cardsOf(page)).length, 5);
  });

  it('opens a card: the full picture, and the clip plays in the page', async () => {
    await page.locator('.lv-card').nth(3).click(); // camera 1's motion
    await page.locator('.lv-detail img.lv-picture').waitFor();
    await page.waitForFunction(() => {
      const img = (globalThis as unknown as PageGlobals).document.querySelector('.lv-detail img.lv-picture') as Img | null;
      return !!img && img.complete && img.naturalWidth > 0;
    });
    // The clip exists once the 2 s recording has ended; the player waits for it on the server.
    await waitForPlaying(page, '.lv-detail video');
    const video = await page.$eval('.lv-detail video', (v) => {
      const el = v as Vid;
      return { readyState: el.readyState, width: el.videoWidth, duration: el.duration, error: el.error?.message ?? null };
    });
    assert.ok(video.readyState >= 2 && video.width > 0 && video.duration > 0, JSON.stringify(video));
    const download = await page.locator('.lv-download').getAttribute('href');
    assert.ok(download && /\/link-visual\/events\/[^/]+\/[0-9a-f]{20}\/clip\?download=1$/.test(download), String(download));
    const answer = await page.evaluate(async (href) => {
      const response = await fetch(href);
      const body = new Uint8Array(await response.arrayBuffer());
      return { status: response.status, disposition: response.headers.get('content-disposition'), ftyp: String.fromCharCode(...body.slice(4, 8)) };
    }, download);
    assert.equal(answer.status, 200);
    assert.match(String(answer.disposition), /attachment; filename="demo-camera-1-.+\.mp4"/);
    assert.equal(answer.ftyp, 'ftyp');
    await page.screenshot({ path: path.join(ARTEFACTS, 'event-open-desktop.png') });
    await page.locator('.lv-detail-head .lv-button').click();
    await page.locator('.lv-overlay').waitFor({ state: 'detached' });
    assert.deepEqual(problems, [], problems.join('\n'));
  });

  it('answers unknown events with a clear JSON error, not a crash', async () => {
    const href = await page.locator('.lv-card img.lv-thumb').first().getAttribute('src');
    assert.ok(href);
    const missing = await page.evaluate(async (url) => {
      const response = await fetch(url.replace(/\/[0-9a-f]{20}\/picture$/, '/00000000000000000000/picture'));
      return { status: response.status, body: (await response.json()) as { error?: { code?: string; retryable?: boolean } } };
    }, href);
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error?.code, 'INVALID_PARAMS');
  });

  it('the recordings view marks the days of the month that have recordings, lists a day and plays one', async () => {
    const mark = problems.length;
    await page.locator('.lv-tab', { hasText: 'Recordings' }).click();
    await page.locator('.lv-recordings .lv-select option').first().waitFor({ state: 'attached' });
    const cameras = await page.locator('.lv-recordings .lv-select option').evaluateAll((options) => options.map((o) => (o as unknown as { value: string }).value));
    assert.deepEqual([...cameras].sort(), ['demo-camera-1', 'demo-camera-2']);
    await page.locator('.lv-recordings .lv-select').selectOption('demo-camera-1');
    // Today in the viewer's zone (the context is in Asia/Shanghai); the cameras recorded only today.
    const today = Number(new Intl.DateTimeFormat('en-US', { day: 'numeric', timeZone: 'Asia/Shanghai' }).format(new Date()));
    await page.locator(`.lv-day.lv-has-rec[data-day="${today}"]`).waitFor();
    const marked = await page.locator('.lv-day.lv-has-rec').evaluateAll((days) => days.map((day) => Number(day.getAttribute('data-day'))));
    assert.deepEqual(marked, [today], 'only today has recordings');
    await page.locator(`.lv-day[data-day="${today}"]`).click();
    await page.locator('.lv-recording').first().waitFor();
    const files = await page.locator('.lv-recording').count();
    assert.equal(files, 2, 'camera 1 raised two events, each recorded');
    assert.equal(await page.locator('.lv-daybar .lv-segment').count(), files, 'each recording on the 24-hour bar');
    await page.locator('.lv-recording').first().click();
    await page.waitForFunction(() => {
      const video = (globalThis as unknown as PageGlobals).document.querySelector('.lv-recordings video') as Vid | null;
      return !!video && video.readyState >= 2 && video.currentTime > 0.2;
    }, undefined, { timeout: 30_000 });
    assert.deepEqual(requested.filter((url) => url.startsWith(emulator.url)), [], 'no cloud URL reached the browser');
    await page.screenshot({ path: path.join(ARTEFACTS, 'recordings-desktop.png'), fullPage: true });
    assert.deepEqual(problems.slice(mark), [], problems.slice(mark).join('\n'));
    // The widget's Cameras setting is the only cameras the routes answer for: another iotId is refused.
    await page.locator('.lv-tab', { hasText: 'Events' }).click();
    const picture = String(await page.locator('.lv-card img.lv-thumb').first().getAttribute('src'));
    const mediaRoot = picture.replace(/\/[0-9a-f]{20}\/picture$/, '');
    const refused = await page.evaluate(async (url) => {
      const response = await fetch(url);
      return { status: response.status, code: ((await response.json()) as { error?: { code?: string } }).error?.code };
    }, `${mediaRoot}/recordings/someone-elses-camera/month/202601`);
    assert.deepEqual(refused, { status: 404, code: 'INVALID_PARAMS' });
  });

  it('fits a phone: no sideways scrolling, the card opens full width', async () => {
    assert.ok(browser);
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'en-US' });
    try {
      const small = await phone.newPage();
      small.setDefaultTimeout(STEP_MS);
      await small.goto(dashboardUrl);
      await waitForCards(small, 4);
      const width = await scrollsSideways(small);
      assert.ok(width.scrollWidth <= width.clientWidth, `the page is ${width.scrollWidth}px wide in a ${width.clientWidth}px viewport`);
      assert.equal((await cardsOf(small))[0].type, 'Motion');
      await small.screenshot({ path: path.join(ARTEFACTS, 'timeline-phone.png'), fullPage: true });
      await small.locator('.lv-card').first().tap();
      await small.waitForFunction(() => (((globalThis as unknown as PageGlobals).document.querySelector('.lv-detail video') as Vid | null)?.readyState ?? 0) >= 2, undefined, { timeout: 40_000 });
      const box = await small.locator('.lv-detail').boundingBox();
      assert.ok(box && box.width <= 390 && box.width >= 300, JSON.stringify(box));
      const after = await scrollsSideways(small);
      assert.ok(after.scrollWidth <= after.clientWidth);
      await small.screenshot({ path: path.join(ARTEFACTS, 'event-open-phone.png') });
      await small.locator('.lv-detail-head .lv-button').tap();
      await small.locator('.lv-tab', { hasText: 'Recordings' }).tap();
      await small.locator('.lv-day.lv-has-rec').first().tap();
      await small.locator('.lv-recording').first().waitFor();
      const calendar = await scrollsSideways(small);
      assert.ok(calendar.scrollWidth <= calendar.clientWidth, `the recordings view is ${calendar.scrollWidth}px wide in a ${calendar.clientWidth}px viewport`);
      await small.screenshot({ path: path.join(ARTEFACTS, 'recordings-phone.png'), fullPage: true });
    } finally {
      await phone.close();
    }
  });
  it('speaks the viewer\'s language (zh-CN) and draws its cards in the dashboard theme\'s surface colour', async () => {
    assert.ok(browser);
    const chinese = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    try {
      const zh = await chinese.newPage();
      zh.setDefaultTimeout(STEP_MS);
      await zh.goto(dashboardUrl);
      await waitForCards(zh, 4);
      const seen = await zh.$$eval('.lv-select option, .lv-tab, .lv-card .lv-type', (nodes) => nodes.map((node) => node.textContent?.trim() ?? ''));
      for (const label of ['全部摄像头', '全部事件', '事件', '录像', '移动侦测']) assert.ok(seen.includes(label), `${label} in ${JSON.stringify(seen)}`);
      assert.ok(!seen.includes('All cameras'), 'no English label left');
      // The card takes the theme's surface colour (Vuetify's --v-theme-surface): a dark theme darkens it too.
      const colours = await zh.$eval('.lv-card', (card) => {
        const probe = card.ownerDocument.createElement('div');
        probe.style.background = 'rgb(var(--v-theme-surface))';
        card.parentElement?.appendChild(probe);
        const theme = card.ownerDocument.defaultView?.getComputedStyle(probe).backgroundColor ?? '';
        probe.remove();
        return { card: card.ownerDocument.defaultView?.getComputedStyle(card).backgroundColor ?? '', theme };
      });
      assert.ok(colours.theme !== '' && colours.theme !== 'rgba(0, 0, 0, 0)', `the dashboard defines a surface colour: ${JSON.stringify(colours)}`);
      assert.equal(colours.card, colours.theme);
      await zh.screenshot({ path: path.join(ARTEFACTS, 'timeline-zh-CN.png'), fullPage: true });
    } finally {
      await chinese.close();
    }
  });

  // Last, so the tests above see the events and recordings they count (this one adds a card and a recording).
  it('plays clips the cloud answers as HLS playlists with hls.js (an event\'s, then a recording\'s), every request through the widget\'s routes', async () => {
    const mark = problems.length;
    const seen = requested.length;
    const answers: { url: string; status: number; type: string }[] = [];
    const onResponse = (response: { url(): string; status(): number; headers(): Record<string, string> }): void => {
      answers.push({ url: response.url(), status: response.status(), type: response.headers()['content-type'] ?? '' });
    };
    page.on('response', onResponse);
    assert.equal((await control(emulator, 'variants', { vodFormat: 'hls' })).vodFormat, 'hls');
    try {
      const raised = await control(emulator, 'events', { iotId: 'demo-camera-1', eventType: 1, picture: true, recording: true, eventTime: Date.now() - 3000 });
      const key = timelineKey('demo-camera-1', String(raised.eventId));
      const card = page.locator(`.lv-card[data-key="${key}"]`);
      await card.waitFor();
      await card.click();
      await waitForPlaying(page, '.lv-detail video');
      // Both 1 s segments: hls.js buffers ahead of the playhead.
      const clip = new RegExp(`/link-visual/events/[^/]+/${key}/clip`);
      const routes = (): string[] => answers.filter((answer) => clip.test(answer.url)).map((answer) => answer.url.replace(/^.*\/clip/, 'clip'));
      const deadline = Date.now() + STEP_MS;
      while (!routes().includes('clip/1') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      const video = await page.$eval('.lv-detail video', (v) => {
        const el = v as Vid & { currentSrc: string; videoHeight: number };
        return { readyState: el.readyState, width: el.videoWidth, height: el.videoHeight, duration: el.duration, src: el.currentSrc, error: el.error?.message ?? null };
      });
      assert.ok(video.readyState >= 2 && video.width === 160 && video.height === 90, JSON.stringify(video));
      assert.ok(video.duration > 1.5 && video.duration < 2.5, `the playlist's 2 s: ${JSON.stringify(video)}`);
      assert.match(video.src, /^blob:/, 'played through Media Source Extensions (hls.js), not as a file');
      const byRoute = new Map(answers.filter((answer) => clip.test(answer.url)).map((answer) => [answer.url.replace(/^.*\/clip/, 'clip'), answer]));
      assert.deepEqual([...byRoute.keys()].sort(), ['clip', 'clip/0', 'clip/1'], 'the playlist and its two segments');
      assert.equal(byRoute.get('clip')?.type, 'application/vnd.apple.mpegurl');
      for (const part of ['clip/0', 'clip/1']) assert.deepEqual([byRoute.get(part)?.status, byRoute.get(part)?.type], [200, 'video/mp2t'], part);
      // Saving the clip gives one MP4 file all the same: the cloud's transcode of its recording (vod/cloudfile/get).
      const download = await page.locator('.lv-detail .lv-download').getAttribute('href');
      assert.ok(download && /\/clip\?download=1$/.test(download), String(download));
      const saved = await page.evaluate(async (href) => {
        const response = await fetch(href);
        const body = new Uint8Array(await response.arrayBuffer());
        return { status: response.status, type: response.headers.get('content-type'), disposition: response.headers.get('content-disposition'), ftyp: String.fromCharCode(...body.slice(4, 8)) };
      }, download);
      assert.deepEqual([saved.status, saved.type, saved.ftyp], [200, 'video/mp4', 'ftyp'], JSON.stringify(saved));
      assert.match(String(saved.disposition), /attachment; filename="demo-camera-1-.+\.mp4"/);
      assert.deepEqual(requested.slice(seen).filter((url) => url.startsWith(emulator.url)), [], 'no emulator URL reached the browser');
      assert.deepEqual(requested.filter((url) => /\.(m3u8|ts)(\?|$)/.test(url)), [], 'no cloud playlist or segment URL either');
      await page.screenshot({ path: path.join(ARTEFACTS, 'event-open-hls.png') });
      await page.locator('.lv-detail-head .lv-button').click();
      await page.locator('.lv-overlay').waitFor({ state: 'detached' });

      // The same recording from the recordings view (vod/getbyfilename): its playlist and parts under …/file/<name>.
      const [fileName] = raised.fileNames as string[];
      await page.locator('.lv-tab', { hasText: 'Recordings' }).click();
      await page.locator('.lv-recordings .lv-select option').first().waitFor({ state: 'attached' });
      await page.locator('.lv-recordings .lv-select').selectOption('demo-camera-1');
      await page.locator('.lv-day.lv-has-rec').first().click();
      await page.locator(`.lv-recording[data-file="${fileName}"]`).click();
      await page.waitForFunction(() => {
        const el = (globalThis as unknown as PageGlobals).document.querySelector('.lv-recordings video') as (Vid & { currentSrc: string }) | null;
        return !!el && el.readyState >= 2 && el.currentTime > 0.2 && el.currentSrc.startsWith('blob:');
      }, undefined, { timeout: 30_000 });
      const file = new RegExp(`/recordings/demo-camera-1/file/${fileName}(/\\d+)?$`);
      const fileAnswers = answers.filter((answer) => file.test(answer.url));
      assert.ok(fileAnswers.some((answer) => answer.url.endsWith(`/file/${fileName}`) && answer.type === 'application/vnd.apple.mpegurl'), JSON.stringify(fileAnswers));
      assert.ok(fileAnswers.some((answer) => answer.url.endsWith(`/file/${fileName}/0`) && answer.status === 200 && answer.type === 'video/mp2t'), JSON.stringify(fileAnswers));
      assert.deepEqual(requested.slice(seen).filter((url) => url.startsWith(emulator.url)), [], 'no emulator URL reached the browser');
      await page.screenshot({ path: path.join(ARTEFACTS, 'recordings-hls.png'), fullPage: true });
      await page.locator('.lv-tab', { hasText: 'Events' }).click();
      assert.deepEqual(problems.slice(mark), [], problems.slice(mark).join('\n'));
    } finally {
      page.off('response', onResponse);
      await control(emulator, 'variants', { vodFormat: 'mp4' });
    }
  });

  it('follows a dark dashboard theme: dark cards and light text (the user switched the theme and deployed)', async () => {
    assert.ok(red);
    const v2 = { 'content-type': 'application/json', 'Node-RED-API-Version': 'v2' };
    const current = (await (await fetch(`${red.url}/flows`, { headers: v2 })).json()) as { rev: string; flows: Record<string, unknown>[] };
    const dark = { surface: '#1e1e1e', primary: '#64b5f6', bgPage: '#121212', groupBg: '#1e1e1e', groupOutline: '#3a3a3a' };
    const flows = current.flows.map((node) => (node.type === 'ui-theme' ? { ...node, colors: dark } : node));
    const deployed = await fetch(`${red.url}/flows`, { method: 'POST', headers: { ...v2, 'Node-RED-Deployment-Type': 'full' }, body: JSON.stringify({ rev: current.rev, flows }) });
    assert.equal(deployed.status, 200, await deployed.text());
    // A full deploy starts the widget again: it loads the cameras' recent events with its account.
    await page.goto(dashboardUrl);
    await waitForCards(page, 4, 30_000);
    const colours = await page.$eval('.lv-card', (card) => {
      const view = card.ownerDocument.defaultView;
      const style = (element: unknown) => view?.getComputedStyle(element as never);
      const camera = card.querySelector('.lv-camera');
      return { card: style(card)?.backgroundColor ?? '', text: camera ? style(camera)?.color ?? '' : '' };
    });
    // Relative luminance of "rgb(r, g, b)" (WCAG): the card dark, its text light.
    const luminance = (css: string): number => {
      const [r, g, b] = (css.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map((part) => Number(part) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    assert.equal(colours.card, 'rgb(30, 30, 30)', `the card takes the dark surface: ${JSON.stringify(colours)}`);
    const contrast = (luminance(colours.text) + 0.05) / (luminance(colours.card) + 0.05);
    assert.ok(contrast >= 7, `text contrast ${contrast.toFixed(1)}:1 on the dark card: ${JSON.stringify(colours)}`);
    await page.screenshot({ path: path.join(ARTEFACTS, 'timeline-dark.png'), fullPage: true });
  });
});
