#!/usr/bin/env node
import"../chunks/3FYGLXQ4.js";function e(){try{process.getBuiltinModule?.("node:module")?.enableCompileCache?.()}catch{}}e();var{main:o}=process.argv[2]==="emit"?await import("../chunks/5ZQVBNF2.js"):await import("../chunks/HAZAWTMA.js");await o(process.argv);
