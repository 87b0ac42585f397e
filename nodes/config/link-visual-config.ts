import type { NodeAPI, NodeDef } from '../shared/red';
import { Account, type ConfigNode } from './account';
import type { AccountProperties } from './account-settings';
import { registerAdminRoutes } from './admin-routes';
import { credentialTypes } from '../shared/setting-spec';
import { configSettingsSpec } from './settings-spec';

/** Registers `link-visual-config`: one Link Visual account, its shared client and its users. */
export = function register(RED: NodeAPI): void {
  registerAdminRoutes(RED);

  function LinkVisualConfigNode(this: ConfigNode, def: NodeDef & AccountProperties): void {
    RED.nodes.createNode(this, def);
    this.name = def.name;
    const stateDir = typeof RED.settings.userDir === 'string' ? RED.settings.userDir : undefined;
    this.account = new Account(this.id, def, this.credentials ?? {}, stateDir, (message) => this.warn(message));
    if (this.account.configError) this.error(this.account.configError.message);
    else if (this.account.pushError) this.warn(`${this.account.pushError.message}: push is off, on-event nodes poll`);
    this.on('close', (_removed: boolean, done: () => void) => {
      this.account.close().then(done, (error: unknown) => {
        this.error(error);
        done();
      });
    });
  }

  RED.nodes.registerType<ConfigNode, NodeDef & AccountProperties>('link-visual-config', LinkVisualConfigNode, {
    // The same credentials the dialog registers (both from settings-spec.ts).
    credentials: credentialTypes(configSettingsSpec),
  });
};
