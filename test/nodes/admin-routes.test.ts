import assert from 'node:assert/strict';
import { startEmulator } from '../../lib/emulator';
import { accountNode, helper, packageNodes, tempUserDir } from '../helpers/node-red';

type Emulator = Awaited<ReturnType<typeof startEmulator>>;

interface RouteAnswer {
  ok: boolean;
  error?: { code: string; message: string };
  devices?: unknown;
  plans?: { planId: string; name: string }[];
  endpoint?: string;
}

describe('editor admin routes (test connection, pickers, catalog)', function () {
  this.timeout(30_000);
  let emulator: Emulator;
  let userDir: { dir: string; remove: () => void };

  before(async () => {
    userDir = tempUserDir();
    emulator = await startEmulator({ port: 0 });
    const account = accountNode(emulator.url);
    await helper.load(packageNodes(), [account.node], account.credentials);
  });
  after(async () => {
    await helper.unload();
    await emulator.close();
    userDir.remove();
  });

  async function post(path: string, body: unknown): Promise<RouteAnswer> {
    const response = await helper.request().post(path).send(body).expect(200);
    return response.body as RouteAnswer;
  }

  function formSettings(credentials: Record<string, string>): Record<string, unknown> {
    return { region: 'custom', endpoint: emulator.url, authMode: 'session', rateLimit: 5, timeout: 5, credentials };
  }

  it('tests the deployed account', async () => {
    const answer = await post('/link-visual/test', { id: 'account' });
    assert.equal(answer.ok, true, JSON.stringify(answer));
    assert.equal(answer.devices, 2);
    assert.equal(answer.endpoint, emulator.url);
  });

  it('tests settings typed in the dialog before deploy, keeping stored secrets for __PWRD__', async () => {
    const answer = await post('/link-visual/test', {
      id: 'account',
      settings: formSettings({ appKey: 'demo-app-key', appSecret: '__PWRD__', identityId: 'demo-identity', refreshToken: '__PWRD__' }),
    });
    assert.equal(answer.ok, true, JSON.stringify(answer));
  });

  it("reports the server's exact reason, and never echoes a secret", async () => {
    const answer = await post('/link-visual/test', {
      id: 'new-account',
      settings: formSettings({ appKey: 'demo-app-key', appSecret: 'a-wrong-secret-value', identityId: 'demo-identity', refreshToken: 'demo-refresh-token' }),
    });
    assert.equal(answer.ok, false);
    assert.equal(answer.error?.code, 'GATEWAY');
    assert.match(answer.error?.message ?? '', /Invalid Signature/);
    assert.ok(!JSON.stringify(answer).includes('a-wrong-secret-value'));
    assert.ok(!JSON.stringify(answer).includes('demo-refresh-token'));
  });

  it('explains incomplete settings', async () => {
    const answer = await post('/link-visual/test', { id: 'x', settings: formSettings({ appKey: 'k' }) });
    assert.equal(answer.ok, false);
    assert.equal(answer.error?.code, 'CONFIG');
    assert.match(answer.error?.message ?? '', /AppSecret is required/);
    const undeployed = await post('/link-visual/devices', { id: 'not-deployed' });
    assert.equal(undeployed.error?.code, 'CONFIG');
  });

  it('lists devices and plans for the pickers', async () => {
    const devices = await post('/link-visual/devices', { id: 'account' });
    assert.deepEqual(devices.devices, [
      { iotId: 'demo-camera-1', name: (devices.devices as { name: string }[])[0].name, online: true },
      { iotId: 'demo-camera-2', name: (devices.devices as { name: string }[])[1].name, online: true },
    ]);
    const plans = await post('/link-visual/plans', { id: 'account', kind: 'event' });
    assert.equal(plans.ok, true);
    assert.ok(Array.isArray(plans.plans));
  });

  it('serves the operation catalog to the editor', async () => {
    const response = await helper.request().get('/link-visual/catalog').expect(200);
    const body = response.body as { operations: { name: string }[] };
    assert.ok(body.operations.length >= 38);
  });
});
