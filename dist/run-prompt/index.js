function e(){try{process.getBuiltinModule?.("node:module")?.enableCompileCache?.()}catch{}}e();var{start:o}=await import("../chunks/36NYXWKS.js");await o();
