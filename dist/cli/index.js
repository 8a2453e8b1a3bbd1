#!/usr/bin/env node
import"../chunks/3FYGLXQ4.js";function e(){try{process.getBuiltinModule?.("node:module")?.enableCompileCache?.()}catch{}}e();var{main:o}=process.argv[2]==="emit"?await import("../chunks/7UQ3PXQK.js"):await import("../chunks/AXZGFEFB.js");await o(process.argv);
