import{createRequire as __asReq}from'node:module';import{fileURLToPath as __asPath}from'node:url';import{dirname as __asDir}from'node:path';const require=__asReq(import.meta.url),__filename=__asPath(import.meta.url),__dirname=__asDir(__filename);
import{a as r,c as i}from"./GVQFZKJS.js";var o=i((p,e)=>{e.exports=r("node:crypto")});export default o();
