import{a as u}from"./6GKF373P.js";import{b as t}from"./FPY2EVVP.js";import{e as a}from"./3FYGLXQ4.js";var o=a(u(),1);function p(e,i){try{return(0,o.parse)(e,{uniqueKeys:!0})}catch(r){let n=r.linePos?.[0]?.line,s=String(r.message??r).split(`
`)[0];throw new t(i,`is not valid YAML or JSON${n?` (line ${n} of the input)`:""}: ${s}`)}}export{p as parseYamlData};
