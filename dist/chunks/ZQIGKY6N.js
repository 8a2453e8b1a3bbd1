import{g as r}from"./EIEQVVVT.js";import{A as o}from"./P2RYTYWN.js";import"./3FYGLXQ4.js";var m=()=>o(r,{cliOnPath:!1});export{m as start};
