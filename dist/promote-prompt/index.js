function e(){try{process.getBuiltinModule?.("node:module")?.enableCompileCache?.()}catch{}}e();var{start:o}=await import("../chunks/VARTKOB7.js");await o();
