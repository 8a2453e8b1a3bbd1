import{g as r}from"./DY23L7YE.js";import{C as o}from"./FPY2EVVP.js";import"./3FYGLXQ4.js";var m=()=>o(r,{cliOnPath:!1});export{m as start};
