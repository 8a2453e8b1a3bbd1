import{createRequire as __asReq}from'node:module';import{fileURLToPath as __asPath}from'node:url';import{dirname as __asDir}from'node:path';const require=__asReq(import.meta.url),__filename=__asPath(import.meta.url),__dirname=__asDir(__filename);
import{a,b,c,d,e,f,g}from"./HZKMPPR3.js";import"./GVQFZKJS.js";export{a as child_process,b as crypto,c as fs,d as os,e as path,f as stream,g as util};
