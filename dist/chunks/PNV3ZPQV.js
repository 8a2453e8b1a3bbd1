import{createRequire as __asReq}from'node:module';import{fileURLToPath as __asPath}from'node:url';import{dirname as __asDir}from'node:path';const require=__asReq(import.meta.url),__filename=__asPath(import.meta.url),__dirname=__asDir(__filename);
import o from"node:module";function a(){let e=o.enableCompileCache;try{e?.()}catch{}}export{a};
