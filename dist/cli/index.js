#!/usr/bin/env node
import{createRequire as __asReq}from'node:module';import{fileURLToPath as __asPath}from'node:url';import{dirname as __asDir}from'node:path';const require=__asReq(import.meta.url),__filename=__asPath(import.meta.url),__dirname=__asDir(__filename);
import{a}from"../chunks/3663XVKV.js";import"../chunks/GVQFZKJS.js";a();var{main:i}=process.argv[2]==="emit"?await import("../chunks/5QTGEGJD.js"):await import("../chunks/RQD4O3OB.js");await i(process.argv);
