import{g as r}from"./Y5PG3AGL.js";import{A as o}from"./WQYBNJFT.js";import"./3FYGLXQ4.js";var m=()=>o(r,{cliOnPath:!1});export{m as start};
