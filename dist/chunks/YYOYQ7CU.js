import{createRequire as __asReq}from'node:module';import{fileURLToPath as __asPath}from'node:url';import{dirname as __asDir}from'node:path';const require=__asReq(import.meta.url),__filename=__asPath(import.meta.url),__dirname=__asDir(__filename);
import{a}from"./TKAR6VUA.js";import"./5AINRT5W.js";import"./GVQFZKJS.js";export{a as createGitHubClient};
