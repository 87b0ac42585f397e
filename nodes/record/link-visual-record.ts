import { operationNodeModule } from '../shared/operation-node';
import { nodeSpec } from './spec';

/** Registers `link-visual-record`. */
export = operationNodeModule(nodeSpec);
