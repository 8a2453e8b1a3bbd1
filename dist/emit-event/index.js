function e(){try{process.getBuiltinModule?.("node:module")?.enableCompileCache?.()}catch{}}e();var{start:o}=await import("../chunks/ZM4KXMNB.js");await o();
