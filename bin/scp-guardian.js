#!/usr/bin/env node
'use strict';
// The AWS SDK warns on Node 20 that its 2027 releases will need Node 22. README says so;
// repeating it on every command would bury the output people came for.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// The command runs the TypeScript sources directly (tsx), so a fresh clone needs no build step.
require('tsx/cjs/api').register();
require('../cli/main.ts').main(process.argv);
