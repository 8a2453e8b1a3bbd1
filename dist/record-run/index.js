function e(){try{process.getBuiltinModule?.("node:module")?.enableCompileCache?.()}catch{}}e();var{start:o}=await import("../chunks/PO576AQQ.js");await o();
