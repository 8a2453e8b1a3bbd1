import{g as r}from"./VWKZJ2VI.js";import{C as o}from"./UHYRRTBY.js";import"./3FYGLXQ4.js";var m=()=>o(r,{cliOnPath:!1});export{m as start};
