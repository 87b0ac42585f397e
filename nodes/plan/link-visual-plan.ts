import { operationNodeModule } from '../shared/operation-node';
import { nodeSpec } from './spec';

/** Registers `link-visual-plan`. */
export = operationNodeModule(nodeSpec);
