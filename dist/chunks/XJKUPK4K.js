import{createRequire as __asReq}from'node:module';import{fileURLToPath as __asPath}from'node:url';import{dirname as __asDir}from'node:path';const require=__asReq(import.meta.url),__filename=__asPath(import.meta.url),__dirname=__asDir(__filename);
import{c as n}from"./IRXPTF5T.js";import{a as s,c as a,e as p}from"./GVQFZKJS.js";var l=a((S,u)=>{u.exports=s("node:fs")});var v=a((f,m)=>{m.exports=s("node:path")});var t=p(l(),1),o=p(v(),1);var d=1,h=class{constructor(r,e,i=()=>new Date){this.path=r;this.runId=e;this.now=i}path;runId;now;append(r){let e=n({v:d,ts:this.now().toISOString(),run:this.runId,...r});return(0,t.mkdirSync)((0,o.dirname)(this.path),{recursive:!0}),(0,t.appendFileSync)(this.path,`${JSON.stringify(e)}
`),e}appendMany(r){if(r.length===0)return;let e=this.now().toISOString(),i=r.map(y=>JSON.stringify(n({v:d,ts:e,run:this.runId,...y})));(0,t.mkdirSync)((0,o.dirname)(this.path),{recursive:!0}),(0,t.appendFileSync)(this.path,`${i.join(`
`)}
`)}};export{d as a,h as b};
