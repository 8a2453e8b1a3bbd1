import{g as r}from"./SBIP7MFQ.js";import{B as o}from"./ISHAKKEQ.js";import"./3FYGLXQ4.js";var m=()=>o(r,{cliOnPath:!1});export{m as start};
