#!/usr/bin/env node
import"../chunks/3FYGLXQ4.js";function e(){try{process.getBuiltinModule?.("node:module")?.enableCompileCache?.()}catch{}}e();var{main:o}=process.argv[2]==="emit"?await import("../chunks/IBQNXB3G.js"):await import("../chunks/CH5A22U5.js");await o(process.argv);
