import{createRequire as __asReq}from'node:module';import{fileURLToPath as __asPath}from'node:url';import{dirname as __asDir}from'node:path';const require=__asReq(import.meta.url),__filename=__asPath(import.meta.url),__dirname=__asDir(__filename);
async function c(r,n){let{unzipSync:i,strFromU8:e}=await import("./QOHRJWBL.js"),t=i(r,{filter:s=>s.name===n})[n];return t?e(t):void 0}export{c as a};
