import{g as r}from"./MTJNSC3Y.js";import{C as o}from"./3ZXFSSAZ.js";import"./3FYGLXQ4.js";var m=()=>o(r,{cliOnPath:!1});export{m as start};
