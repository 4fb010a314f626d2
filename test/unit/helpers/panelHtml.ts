// panelHtml lives in the vscode-importing panel module: load it with a stand-in vscode (it needs none at call time).
import { createFakeVscode, installFakeVscode } from './fakeVscode';

installFakeVscode(createFakeVscode({}).vscode);

export const panelHtmlForTest: typeof import('../../../src/extension/panel').panelHtml = require('../../../src/extension/panel').panelHtml;
