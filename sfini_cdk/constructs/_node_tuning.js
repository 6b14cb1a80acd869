// Loaded into jsii's Node.js processes through NODE_OPTIONS (see _node.py).
//
// aws-cdk-lib validates every synthesised template with a WebAssembly build of its CloudFormation
// rules. V8 recompiles WebAssembly functions that have run a while with its optimising compiler,
// on background threads, and a process that exits waits for those compilations to finish. A
// `cdk synth` of a large definition string (sfini's DefinitionString) then spends ~0.25 s at exit
// on optimised code nobody runs. A larger tiering budget keeps short runs on the baseline code;
// functions that really run long are still optimised.
"use strict";
if (Number(process.versions.v8.split(".")[0]) >= 11) {
  require("v8").setFlagsFromString("--wasm-tiering-budget=1000000000");
}
