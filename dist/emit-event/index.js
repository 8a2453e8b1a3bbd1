function e(){try{process.getBuiltinModule?.("node:module")?.enableCompileCache?.()}catch{}}e();var{start:o}=await import("../chunks/MVGE6QJC.js");await o();
