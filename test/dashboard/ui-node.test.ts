// The ui-link-visual-events node in Node-RED without Dashboard 2: the package must load and say why the
// widget cannot show (the dashboard is an optional peer), and refuse bad settings clearly.
import assert from 'node:assert/strict';
import path from 'node:path';
import { helper, statusOf, tempUserDir, type TestNode } from '../helpers/node-red';
import { timelineSettings } from '../../nodes/ui-link-visual-events/settings';
import { widgetSource } from '../../nodes/ui-link-visual-events/widget-source';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const timelineNode = require('../../nodes/ui-link-visual-events/ui-link-visual-events');

describe('ui-link-visual-events without Dashboard 2', function () {
  let userDir: { dir: string; remove: () => void };
  before(() => {
    userDir = tempUserDir();
  });
  after(() => userDir.remove());
  afterEach(() => helper.unload());

  it('loads, and its status says the dashboard group is missing', async () => {
    await helper.load([timelineNode], [{ id: 'w1', type: 'ui-link-visual-events', group: 'no-such-group', maxEvents: '20', wires: [] }]);
    const node = helper.getNode('w1') as TestNode;
    assert.ok(node);
    assert.match(String(statusOf(node).text), /no dashboard group/);
    node.receive({ payload: { iotId: 'cam', eventId: 'e1' } }); // no listener, no crash
  });

  it('reports Max events out of range in its status', async () => {
    await helper.load([timelineNode], [{ id: 'w2', type: 'ui-link-visual-events', group: 'g', maxEvents: '0', wires: [] }]);
    assert.match(String(statusOf(helper.getNode('w2') as TestNode).text), /Max events must be a whole number from 1 to 500/);
  });

  it('reads its settings, and finds its widget entry in package.json', () => {
    assert.deepEqual(timelineSettings({ id: 'x', type: 't', devices: 'cam-a, cam-b\ncam-a', maxEvents: '7', historyHours: '0' }), { devices: ['cam-a', 'cam-b'], maxEvents: 7, historyHours: 0 });
    assert.equal(timelineSettings({ id: 'x', type: 't' }).historyHours, 24);
    assert.throws(() => timelineSettings({ id: 'x', type: 't', historyHours: '200' }), { code: 'CONFIG' });
    assert.equal(timelineSettings({ id: 'x', type: 't' }).maxEvents, 50);
    assert.throws(() => timelineSettings({ id: 'x', type: 't', maxEvents: '2.5' }), { code: 'CONFIG' });
    assert.deepEqual(widgetSource(__dirname), {
      package: 'node-red-contrib-link-visual',
      name: 'ui-link-visual-events',
      src: 'ui-link-visual-events.umd.js',
      path: path.resolve(__dirname, '..', '..'),
      component: 'UILinkVisualEvents',
    });
  });
});
